"""The indicator catalogue (``data/catalogue.toml``) as validated pydantic models.

The catalogue is a sequence of framework **versions** (``2021``, ``2025``, …), each valid for a
range of periods with its legal basis, reporter and ministry. Pillars, fields and indicators are
listed once in the file, each in force from version ``since`` to version ``until`` (both
optional); validation gives every version the entries in force in it. An entry that continues
keeps its code; a changed entry is a second entry with the same code (``until`` on the old one,
``since`` on the new one) that carries the former name when it was renamed and cites the
source of the change.

- ``catalogue.version_for(period)``: the version in force for a period, with its ``pillars``,
  ``fields`` and ``indicators`` (and ``field()``, ``indicator()``, ``pillar()`` lookups);
- ``catalogue.fields`` / ``.indicators`` / ``.pillars``: every code of any version once, in file
  order, as defined by the latest version that has it (for names and menus);
- ``catalogue.changes(before, after)``: what a version added, removed and changed, with sources.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dxboard.errors import Reason, UserError
from dxboard.i18n import fmt_date, named, t
from dxboard.paths import DATA_DIR
from dxboard.periods import Period

CATALOGUE_PATH = DATA_DIR / "catalogue.toml"
_Date = date  # for fields named ``date``
ENTRY_KINDS = ("pillars", "fields", "indicators")

Code = Field(pattern=r"^[a-z][a-z0-9_]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _pick(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


# --------------------------------------------------------------------------- sources


class SeedQuote(_Model):
    """A verbatim quote from a seed article (``../shared/seeds/``; a test checks it)."""

    seed: str = Field(pattern=r"^\d{3}_[0-9a-f]+\.txt$")
    quote: str = Field(min_length=10)


class DocumentRef(_Model):
    """A legal document of the catalogue's ``documents``, by number."""

    document: str


class Fact(_Model):
    """A dated public fact that no single document number states (e.g. the commune count)."""

    fact_vi: str = Field(min_length=10)
    fact_en: str = Field(min_length=10)
    year: int
    date: _Date | None = None

    def text(self, lang: str) -> str:
        return _pick(lang, self.fact_vi, self.fact_en)


Source = SeedQuote | DocumentRef | Fact


class Article(_Model):
    """A seed article, cited by its title and date (the file name stays in the data)."""

    seed: str = Field(pattern=r"^\d{3}_[0-9a-f]+\.txt$")
    title: str = Field(min_length=10)
    year: int
    date: _Date | None = None


class Document(_Model):
    """A legal document cited by number and title (``date``: issued; ``effective``: in force)."""

    number: str = Field(min_length=3)
    kind: Literal["resolution", "decree", "decision", "circular"]
    title_vi: str = Field(min_length=10)
    title_en: str = Field(min_length=10)
    year: int
    date: _Date | None = None
    effective: _Date | None = None
    seed: str | None = Field(default=None, pattern=r"^\d{3}_[0-9a-f]+\.txt$")
    quote: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Document:
        if self.date is not None and self.date.year != self.year:
            raise ValueError(f"document {self.number!r}: date is not in year {self.year}")
        if (self.seed is None) != (self.quote is None):
            raise ValueError(f"document {self.number!r}: give both seed and quote, or neither")
        return self

    def citation(self, lang: str) -> str:
        """``Nghị quyết 57-NQ/TW ngày 22/12/2024 về …`` / ``Resolution 57-NQ/TW of 2024-12-22
        on …``; without a day, the date it took effect, else the year when the number does not
        give it."""
        kind = t(f"framework.doc_{self.kind}", lang)
        title = _pick(lang, self.title_vi, self.title_en)
        number = f"{kind} {self.number}"
        if self.date is not None:
            number = t("framework.cite_dated", lang, kind=kind, number=self.number, d=self.date)
        elif self.effective is not None:
            number += " " + t("framework.cite_effective", lang, d=self.effective)
        elif str(self.year) not in self.number:
            number = t("framework.cite_year", lang, kind=kind, number=self.number, year=self.year)
        return f"{number} {title}"


# --------------------------------------------------------------------------- entries


class _Entry(_Model):
    """In force from version ``since`` to version ``until`` (ids; ``None``: open); ``sources``
    justify it (a changed entry must cite one of its own)."""

    since: str | None = None
    until: str | None = None
    sources: tuple[Source, ...] = ()


class Pillar(_Entry):
    code: str = Code
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        return _pick(lang, self.name_vi, self.name_en)


class RawField(_Entry):
    """A value a province reports each quarter."""

    code: str = Code
    kind: Literal["bool", "count", "amount"]
    name_vi: str
    name_en: str
    former_name_vi: str | None = None
    former_name_en: str | None = None
    unit_vi: str = ""
    unit_en: str = ""
    required: bool = False
    evidence: bool = False
    part_of: str | None = None

    def name(self, lang: str) -> str:
        return _pick(lang, self.name_vi, self.name_en)

    def former_name(self, lang: str) -> str | None:
        return self.former_name_en if lang == "en" else self.former_name_vi

    @property
    def names(self) -> dict[str, str]:
        """The name in both languages, as a message parameter."""
        return named(self.name_vi, self.name_en)

    def unit(self, lang: str) -> str:
        return _pick(lang, self.unit_vi, self.unit_en)


class Stage(_Model):
    """Target value in force until ``deadline`` (``None``: no deadline)."""

    value: float = Field(ge=0)
    deadline: date | None = None


class Target(_Model):
    comparator: Literal[">=", "<="]
    stages: tuple[Stage, ...] = Field(min_length=1)
    band_max: float | None = None

    @model_validator(mode="after")
    def _stages_in_order(self) -> Target:
        dated = [s.deadline for s in self.stages if s.deadline]
        if dated != sorted(dated) or len(dated) < len(self.stages) - 1:
            raise ValueError("stages must be in deadline order; only the last may lack a deadline")
        return self

    def stage_for(self, day: date) -> Stage:
        """The stage in force on ``day``: the first whose deadline has not passed, else the last."""
        for stage in self.stages:
            if stage.deadline is None or stage.deadline >= day:
                return stage
        return self.stages[-1]


class Indicator(_Entry):
    code: str = Code
    pillar: str
    unit: Literal["yes_no", "ratio"]
    name_vi: str
    name_en: str
    former_name_vi: str | None = None
    former_name_en: str | None = None
    definition_vi: str
    definition_en: str
    field: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    target: Target | None = None
    scored: bool = True
    sources: tuple[Source, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _formula_shape(self) -> Indicator:
        if self.unit == "yes_no" and (not self.field or self.numerator or self.denominator):
            raise ValueError("a yes_no indicator names exactly one `field`")
        if self.unit == "ratio" and (self.field or not (self.numerator and self.denominator)):
            raise ValueError("a ratio indicator names `numerator` and `denominator`")
        if self.scored and self.target is None:
            raise ValueError("a scored indicator needs a target (or set scored = false)")
        return self

    @property
    def inputs(self) -> tuple[str, ...]:
        """Raw fields the formula reads."""
        if self.field:
            return (self.field,)
        return tuple(name for name in (self.numerator, self.denominator) if name)

    @property
    def formula(self) -> str:
        return self.field or f"{self.numerator} / {self.denominator}"

    def name(self, lang: str) -> str:
        return _pick(lang, self.name_vi, self.name_en)

    def former_name(self, lang: str) -> str | None:
        return self.former_name_en if lang == "en" else self.former_name_vi

    def definition(self, lang: str) -> str:
        return _pick(lang, self.definition_vi, self.definition_en)


# --------------------------------------------------------------------------- versions


class Authority(_Model):
    """Who reports (the provincial department) or receives (the ministry) in a version."""

    name_vi: str
    name_en: str
    short_vi: str
    short_en: str
    sources: tuple[Source, ...] = Field(min_length=1)

    def name(self, lang: str) -> str:
        return _pick(lang, self.name_vi, self.name_en)

    def short(self, lang: str) -> str:
        return _pick(lang, self.short_vi, self.short_en)


E = TypeVar("E", Pillar, RawField, Indicator)


def _by_code(items: Iterable[E]) -> dict[str, E]:
    return {i.code: i for i in items}


class Version(_Model):
    """One framework version: its periods, legal basis, reporter, ministry and entries."""

    id: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
    name_vi: str
    name_en: str
    summary_vi: str
    summary_en: str
    valid_from: str | None = None
    valid_to: str | None = None
    template_version: str = Field(min_length=1)
    former_templates: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = Field(min_length=1)
    reporter: Authority
    ministry: Authority
    pillars: tuple[Pillar, ...] = ()
    fields: tuple[RawField, ...] = ()
    indicators: tuple[Indicator, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Version:
        for text in (self.valid_from, self.valid_to):
            if text is not None:
                Period.parse(text)
        if self.first and self.last and self.first > self.last:
            raise ValueError(f"version {self.id!r}: valid_from is after valid_to")
        _unique("pillars", [p.code for p in self.pillars])
        _unique("fields", [f.code for f in self.fields])
        _unique("indicators", [i.code for i in self.indicators])
        fields = self.field_map
        for f in self.fields:
            if f.part_of and (f.part_of not in fields or fields[f.part_of].kind == "bool"):
                raise ValueError(f"field {f.code!r}: part_of {f.part_of!r} is not a numeric field")
            if f.evidence and f.kind != "bool":
                raise ValueError(f"field {f.code!r}: evidence columns are for yes/no fields")
        pillars = {p.code for p in self.pillars}
        for ind in self.indicators:
            if ind.pillar not in pillars:
                raise ValueError(f"indicator {ind.code!r}: unknown pillar {ind.pillar!r}")
            for name in ind.inputs:
                if name not in fields:
                    raise ValueError(f"indicator {ind.code!r}: unknown field {name!r}")
            if ind.unit == "yes_no" and fields[ind.inputs[0]].kind != "bool":
                raise ValueError(f"indicator {ind.code!r}: field {ind.field!r} is not yes/no")
        return self

    @cached_property
    def first(self) -> Period | None:
        """First period of the version (``None``: from the beginning)."""
        return Period.parse(self.valid_from) if self.valid_from else None

    @cached_property
    def last(self) -> Period | None:
        """Last period of the version (``None``: still in force)."""
        return Period.parse(self.valid_to) if self.valid_to else None

    def covers(self, period: str | Period) -> bool:
        p = Period.parse(period)
        return (self.first is None or self.first <= p) and (self.last is None or p <= self.last)

    @cached_property
    def field_map(self) -> dict[str, RawField]:
        return _by_code(self.fields)

    @cached_property
    def indicator_map(self) -> dict[str, Indicator]:
        return _by_code(self.indicators)

    def field(self, code: str) -> RawField:
        return self.field_map[code]

    def indicator(self, code: str) -> Indicator:
        return self.indicator_map[code]

    def pillar(self, code: str) -> Pillar:
        return _by_code(self.pillars)[code]

    def indicators_of(self, pillar: str) -> list[Indicator]:
        return [i for i in self.indicators if i.pillar == pillar]

    @property
    def field_codes(self) -> list[str]:
        return [f.code for f in self.fields]

    @property
    def templates(self) -> tuple[str, ...]:
        """The version-cell texts of this version's templates (current first)."""
        return (self.template_version, *self.former_templates)

    def name(self, lang: str) -> str:
        return _pick(lang, self.name_vi, self.name_en)

    def summary(self, lang: str) -> str:
        return _pick(lang, self.summary_vi, self.summary_en)

    @property
    def names(self) -> dict[str, str]:
        """The name in both languages, as a message parameter."""
        return named(self.name_vi, self.name_en)

    def span(self, lang: str) -> str:
        """``từ Quý III/2025`` / ``đến Quý II/2025`` / ``Quý I/2026 – Quý IV/2026``."""
        if self.first and self.last:
            return t("framework.span_between", lang, a=str(self.first), b=str(self.last))
        if self.first:
            return t("framework.span_from", lang, a=str(self.first))
        if self.last:
            return t("framework.span_until", lang, b=str(self.last))
        return t("framework.span_always", lang)


# --------------------------------------------------------------------------- changes

Named = Pillar | RawField | Indicator | Authority
ASPECTS: dict[str, tuple[str, ...]] = {
    "name": ("name_vi", "name_en"),
    "definition": ("definition_vi", "definition_en"),
    "formula": ("unit", "field", "numerator", "denominator"),
    "type": ("kind", "unit_vi", "unit_en", "part_of", "required"),
    "pillar": ("pillar",),
    "target": ("target", "scored"),
}
"""What a change can touch, and the attributes compared for it (missing ones count as equal)."""


@dataclass(frozen=True)
class Change:
    """One difference between two consecutive versions."""

    entity: Literal["pillar", "field", "indicator", "reporter", "ministry"]
    code: str
    kind: Literal["added", "removed", "changed"]
    aspects: tuple[str, ...]
    before: Named | None
    after: Named | None
    sources: tuple[Source, ...]


def _aspects(before: Named, after: Named) -> tuple[str, ...]:
    old, new = before.model_dump(), after.model_dump()
    return tuple(
        aspect for aspect, attrs in ASPECTS.items() if any(old.get(a) != new.get(a) for a in attrs)
    )


def _entry_changes(
    entity: Literal["pillar", "field", "indicator"],
    before: dict[str, E],
    after: dict[str, E],
    basis: tuple[Source, ...],
) -> list[Change]:
    out = []
    for code, new in after.items():
        old = before.get(code)
        own = new.sources
        if old is None:
            out.append(Change(entity, code, "added", (), None, new, own or basis))
        elif aspects := _aspects(old, new):
            fresh = tuple(s for s in own if s not in old.sources)
            out.append(Change(entity, code, "changed", aspects, old, new, fresh))
    for code, old in before.items():
        if code not in after:
            out.append(Change(entity, code, "removed", (), old, None, basis))
    return out


def _authority_changes(before: Version, after: Version) -> list[Change]:
    out = []
    for entity in ("reporter", "ministry"):
        old, new = getattr(before, entity), getattr(after, entity)
        if (old.name_vi, old.name_en) != (new.name_vi, new.name_en):
            fresh = tuple(s for s in new.sources if s not in old.sources)
            out.append(Change(entity, entity, "changed", ("name",), old, new, fresh))
    return out


# --------------------------------------------------------------------------- catalogue


class FrameworkError(UserError, LookupError):
    """No framework version covers a period."""

    def __init__(self, period: Period, first: Period | None) -> None:
        super().__init__(Reason.PERIOD, "period_no_framework", period=str(period), first=str(first))


def _union(groups: Iterable[tuple[E, ...]], order: Iterable[str]) -> tuple[E, ...]:
    """Each code once, in ``order``, as defined by the last group that has it."""
    latest: dict[str, E] = {}
    for group in groups:
        latest.update(_by_code(group))
    return tuple(latest[code] for code in dict.fromkeys(order) if code in latest)


class Catalogue(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    articles: tuple[Article, ...] = ()
    documents: tuple[Document, ...] = ()
    versions: tuple[Version, ...] = Field(min_length=1)
    pillar_entries: tuple[Pillar, ...] = Field(alias="pillars")
    field_entries: tuple[RawField, ...] = Field(alias="fields")
    indicator_entries: tuple[Indicator, ...] = Field(alias="indicators")

    @model_validator(mode="before")
    @classmethod
    def _distribute(cls, data: Any) -> Any:
        """Give every version (listed in time order) the entries in force in it."""
        if not isinstance(data, dict) or not isinstance(data.get("versions"), list):
            return data
        ids = [v.get("id") for v in data["versions"] if isinstance(v, dict)]
        for kind in ENTRY_KINDS:
            for entry in data.get(kind, []):
                ends = (entry.get("since"), entry.get("until")) if isinstance(entry, dict) else ()
                for end in ends:
                    if end is not None and end not in ids:
                        code = entry.get("code", "?")
                        raise ValueError(f"{kind}[{code}]: unknown version {end!r}")
        versions = []
        for i, version in enumerate(data["versions"]):
            if not isinstance(version, dict):
                versions.append(version)
                continue
            version = dict(version)
            for kind in ENTRY_KINDS:
                entries = data.get(kind, [])
                version[kind] = [e for e in entries if _in_force(e, i, ids)]
            versions.append(version)
        return {**data, "versions": versions}

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        ids = [v.id for v in self.versions]
        _unique("versions", ids)
        _unique("documents", [d.number for d in self.documents])
        _unique("templates", [label for v in self.versions for label in v.templates])
        self._check_periods()
        seeds = {a.seed for a in self.articles}
        _unique("articles", [a.seed for a in self.articles])
        numbers = {d.number for d in self.documents}
        for version in self.versions:
            for number in version.legal_basis:
                if number not in numbers:
                    raise ValueError(f"version {version.id!r}: unknown document {number!r}")
        for source in self._all_sources():
            if isinstance(source, DocumentRef) and source.document not in numbers:
                raise ValueError(f"unknown document {source.document!r}")
            if isinstance(source, SeedQuote) and source.seed not in seeds:
                raise ValueError(f"no article for the seed {source.seed!r}")
        for before, after in zip(self.versions, self.versions[1:], strict=False):
            for change in self.changes(before, after):
                _check_change(change, after)
        return self

    def _check_periods(self) -> None:
        for i, version in enumerate(self.versions):
            if i > 0 and version.first is None:
                raise ValueError(f"version {version.id!r}: valid_from is needed")
            if i < len(self.versions) - 1 and version.last is None:
                raise ValueError(f"version {version.id!r}: valid_to is needed")
            if i > 0:
                last = self.versions[i - 1].last
                if last is None or version.first != last.next():
                    raise ValueError(
                        f"version {version.id!r} must start the quarter after the previous ends"
                    )

    def _all_sources(self) -> Iterable[Source]:
        for entry in (*self.field_entries, *self.indicator_entries):
            yield from entry.sources
        for version in self.versions:
            yield from version.reporter.sources
            yield from version.ministry.sources

    # ----------------------------------------------------------------- versions

    def version_for(self, period: str | Period) -> Version:
        """The version in force for ``period``; :class:`FrameworkError` if none."""
        p = Period.parse(period)
        for version in self.versions:
            if version.covers(p):
                return version
        raise FrameworkError(p, self.versions[0].first)

    def version(self, version_id: str) -> Version:
        return next(v for v in self.versions if v.id == version_id)

    def version_of_template(self, label: str) -> Version | None:
        """The version whose template carries ``label`` in its version cell."""
        return next((v for v in self.versions if label in v.templates), None)

    def previous(self, version: Version) -> Version | None:
        i = self.versions.index(version)
        return self.versions[i - 1] if i > 0 else None

    def breaks(self, periods: Iterable[str | Period]) -> list[Period]:
        """The periods of ``periods`` whose version differs from that of an earlier one: where a
        series over ``periods`` crosses a change of method (sorted)."""
        plist = sorted({Period.parse(p) for p in periods})
        if not plist:
            return []
        out = []
        for version in self.versions[1:]:
            first = version.first
            if first is not None and plist[0] < first <= plist[-1]:
                out.append(first)
        return out

    def changes(self, before: Version, after: Version) -> list[Change]:
        """What ``after`` changed from ``before``: reporter and ministry, then pillars, fields
        and indicators added, changed (``aspects``) or removed; each with its sources (the
        version's legal basis for an entry without sources of its own)."""
        basis = tuple(DocumentRef(document=n) for n in after.legal_basis)
        return [
            *_authority_changes(before, after),
            *_entry_changes("pillar", _by_code(before.pillars), _by_code(after.pillars), basis),
            *_entry_changes("field", before.field_map, after.field_map, basis),
            *_entry_changes("indicator", before.indicator_map, after.indicator_map, basis),
        ]

    def document(self, number: str) -> Document:
        return next(d for d in self.documents if d.number == number)

    def article(self, seed: str) -> Article:
        return next(a for a in self.articles if a.seed == seed)

    def cite(self, source: Source, lang: str) -> str:
        """A source as text: ``«quote» — article title (date)``, a document's citation by
        number and title, or a fact with its date."""
        if isinstance(source, SeedQuote):
            article = self.article(source.seed)
            when = fmt_date(article.date, lang) if article.date else str(article.year)
            return f"«{source.quote}» — {article.title} ({when})"
        if isinstance(source, DocumentRef):
            return self.document(source.document).citation(lang)
        when = fmt_date(source.date, lang) if source.date else str(source.year)
        return f"{source.text(lang).rstrip('.')} ({when})."

    # ----------------------------------------------------------------- every code once

    @cached_property
    def pillars(self) -> tuple[Pillar, ...]:
        order = (p.code for p in self.pillar_entries)
        return _union((v.pillars for v in self.versions), order)

    @cached_property
    def fields(self) -> tuple[RawField, ...]:
        order = (f.code for f in self.field_entries)
        return _union((v.fields for v in self.versions), order)

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        order = (i.code for i in self.indicator_entries)
        return _union((v.indicators for v in self.versions), order)

    def field(self, code: str) -> RawField:
        return next(f for f in self.fields if f.code == code)

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def pillar(self, code: str) -> Pillar:
        return next(p for p in self.pillars if p.code == code)

    def indicators_of(self, pillar: str) -> list[Indicator]:
        return [i for i in self.indicators if i.pillar == pillar]

    @property
    def field_codes(self) -> list[str]:
        return [f.code for f in self.fields]

    def input_fields(self, indicators: Iterable[str] | None = None) -> set[str]:
        """The raw fields read by ``indicators`` (default: all) in any version; ``KeyError``
        for an unknown code."""
        wanted = None if indicators is None else set(indicators)
        unknown = sorted((wanted or set()) - {i.code for i in self.indicators})
        if unknown:
            raise KeyError(f"unknown indicators: {', '.join(unknown)}")
        return {
            f
            for v in self.versions
            for i in v.indicators
            if wanted is None or i.code in wanted
            for f in i.inputs
        }


def _in_force(entry: Any, index: int, ids: list[Any]) -> bool:
    """Whether a raw entry (``since``/``until`` version ids) is in force in version ``index``."""
    if not isinstance(entry, dict):
        return True
    since, until = entry.get("since"), entry.get("until")
    start = 0 if since is None else ids.index(since)
    end = len(ids) - 1 if until is None else ids.index(until)
    return start <= index <= end


def _check_change(change: Change, version: Version) -> None:
    where = f"version {version.id!r}, {change.entity} {change.code!r}"
    if change.kind != "removed" and not change.sources:
        raise ValueError(f"{where}: a change needs a source of its own")
    before, after = change.before, change.after
    if "name" in change.aspects and isinstance(after, RawField | Indicator):
        assert before is not None
        if (after.former_name_vi, after.former_name_en) != (before.name_vi, before.name_en):
            raise ValueError(f"{where}: renamed, so former_name_vi/en must be the previous names")


class CatalogueError(RuntimeError):
    """The catalogue file is invalid; the message names the entry."""


def _unique(kind: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{kind}: duplicate code {code!r}")
        seen.add(code)


def _entry_code(raw: dict, loc: list[Any]) -> str:
    """``fields[procedures_level4]`` for the location ``fields, 5``."""
    items = raw.get(loc[0], [])
    entry = items[loc[1]] if loc[1] < len(items) else {}
    key = "id" if loc[0] == "versions" else "number" if loc[0] == "documents" else "code"
    return str(entry.get(key, "?")) if isinstance(entry, dict) else "?"


def _describe(error: ValidationError, raw: dict) -> str:
    lines = []
    for err in error.errors():
        loc = list(err["loc"])
        if loc[:1] == ["versions"] and len(loc) > 3 and loc[2] in ENTRY_KINDS:
            continue  # an entry's own error, reported where the entry is listed
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and isinstance(loc[1], int):
            rest = "." + ".".join(map(str, loc[2:])) if loc[2:] else ""
            where = f"{loc[0]}[{_entry_code(raw, loc)}]{rest}"
        lines.append(f"{where}: {err['msg']}")
    return "; ".join(dict.fromkeys(lines))


def parse_catalogue(raw: dict, origin: str = "catalogue") -> Catalogue:
    """Validate a catalogue mapping; raise :class:`CatalogueError` naming the bad entry."""
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        detail = _describe(exc, raw)
        raise CatalogueError(f"Invalid indicator catalogue {origin}: {detail}") from None


def load_catalogue_file(path: Path) -> Catalogue:
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    return parse_catalogue(raw, str(path))


@cache
def load_catalogue() -> Catalogue:
    """The catalogue in ``data/``, validated once per process."""
    return load_catalogue_file(CATALOGUE_PATH)
