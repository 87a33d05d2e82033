"""The indicator catalogue (``data/catalogue.toml``) as validated pydantic models."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dxboard.i18n import named
from dxboard.paths import DATA_DIR

CATALOGUE_PATH = DATA_DIR / "catalogue.toml"

Code = Field(pattern=r"^[a-z][a-z0-9_]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pillar(_Model):
    code: str = Code
    name_vi: str
    name_en: str


class RawField(_Model):
    """A value a province reports each quarter."""

    code: str = Code
    kind: Literal["bool", "count", "amount"]
    name_vi: str
    name_en: str
    unit_vi: str = ""
    unit_en: str = ""
    required: bool = False
    evidence: bool = False
    part_of: str | None = None

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en

    @property
    def names(self) -> dict[str, str]:
        """The name in both languages, as a message parameter."""
        return named(self.name_vi, self.name_en)

    def unit(self, lang: str) -> str:
        return self.unit_vi if lang == "vi" else self.unit_en


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


class Source(_Model):
    seed: str = Field(pattern=r"^\d{3}_[0-9a-f]+\.txt$")
    quote: str = Field(min_length=10)


class Indicator(_Model):
    code: str = Code
    pillar: str
    unit: Literal["yes_no", "ratio"]
    name_vi: str
    name_en: str
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
        return self.name_vi if lang == "vi" else self.name_en

    def definition(self, lang: str) -> str:
        return self.definition_vi if lang == "vi" else self.definition_en


class Catalogue(_Model):
    template_version: str
    pillars: tuple[Pillar, ...]
    fields: tuple[RawField, ...]
    indicators: tuple[Indicator, ...]

    @model_validator(mode="after")
    def _references(self) -> Catalogue:
        _unique("pillars", [p.code for p in self.pillars])
        _unique("fields", [f.code for f in self.fields])
        _unique("indicators", [i.code for i in self.indicators])
        fields = {f.code: f for f in self.fields}
        pillars = {p.code for p in self.pillars}
        for f in self.fields:
            if f.part_of and (f.part_of not in fields or fields[f.part_of].kind == "bool"):
                raise ValueError(f"field {f.code!r}: part_of {f.part_of!r} is not a numeric field")
            if f.evidence and f.kind != "bool":
                raise ValueError(f"field {f.code!r}: evidence columns are for yes/no fields")
        for ind in self.indicators:
            if ind.pillar not in pillars:
                raise ValueError(f"indicator {ind.code!r}: unknown pillar {ind.pillar!r}")
            for name in ind.inputs:
                if name not in fields:
                    raise ValueError(f"indicator {ind.code!r}: unknown field {name!r}")
            if ind.unit == "yes_no" and fields[ind.inputs[0]].kind != "bool":
                raise ValueError(f"indicator {ind.code!r}: field {ind.field!r} is not yes/no")
        return self

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


class CatalogueError(RuntimeError):
    """The catalogue file is invalid; the message names the entry."""


def _unique(kind: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{kind}: duplicate code {code!r}")
        seen.add(code)


def _describe(error: ValidationError, raw: dict) -> str:
    lines = []
    for err in error.errors():
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and isinstance(loc[1], int):
            entry = raw.get(loc[0], [])[loc[1]] if loc[1] < len(raw.get(loc[0], [])) else {}
            code = entry.get("code", "?") if isinstance(entry, dict) else "?"
            where = f"{loc[0]}[{code}]" + ("." + ".".join(map(str, loc[2:])) if loc[2:] else "")
        lines.append(f"{where}: {err['msg']}")
    return "; ".join(lines)


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
