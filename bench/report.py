"""Writing ``docs/BENCHMARKS.md`` from the measured sections."""

from __future__ import annotations

from pathlib import Path

from bench.common import Figure, Section, fmt_ratio, fmt_seconds, load_average

HISTORY = Path(__file__).resolve().parent / "history.md"


def _figure_row(fig: Figure) -> str:
    rate = (
        f"{fig.rate:,.0f} {fig.unit}/s (best {fig.best_rate:,.0f})"
        if fig.items and fig.unit in ("files", "rows")
        else ""
    )
    target = fig.target
    if fig.met is not None and target:
        target += " — " + ("met" if fig.met else "**NOT met**")
    extra = "; ".join(f"{k}: {v}" for k, v in fig.extra.items())
    notes = "; ".join(x for x in (fig.note, extra) if x)
    return (
        f"| {fig.label} | {fmt_seconds(fig.median)} | {fmt_seconds(fig.best)} | "
        f"{len(fig.times)} | {rate} | {target} | {notes} |"
    )


def section_markdown(section: Section) -> str:
    out = [f"## {section.title}", ""]
    if section.skipped:
        out += [f"Not measured: {section.skipped}", ""]
        return "\n".join(out)
    for table in section.tables:
        out += [table, ""]
    if section.figures and section.key != "pages":
        out += [
            "| what | median | min | runs | throughput at the median | target | notes |",
            "|---|---|---|---|---|---|---|",
        ]
        out += [_figure_row(f) for f in section.figures]
        out.append("")
    if section.ratios:
        out += ["| ratio (medians, same run) | value | |", "|---|---|---|"]
        out += [
            f"| {what} | {fmt_ratio(value)} | {comment} |"
            for what, value, comment in section.ratios
        ]
        out.append("")
    out += [f"- {note}" for note in section.notes]
    out.append("")
    return "\n".join(out)


def summary(sections: list[Section]) -> list[str]:
    """The targets, one line each."""
    lines = ["| target | result | |", "|---|---|---|"]
    by_key = {s.key: s for s in sections}
    ingest = by_key.get("ingest")
    if ingest is not None and not ingest.skipped:
        for what, value, comment in ingest.ratios[:2]:
            lines.append(f"| ingest: {what} | {fmt_ratio(value)} | {comment} |")
        for what, value, comment in ingest.ratios[2:]:
            if "worker" not in what:
                continue
            if "÷ limit" in what:
                comment = "target ≤ 3×: " + ("met" if value <= 3 else "NOT met")
            lines.append(f"| ingest: {what} | {fmt_ratio(value)} | {comment} |")
    pages = by_key.get("pages")
    if pages is not None and not pages.skipped:
        colds = [f for f in pages.figures if f.label.endswith(": cold")]
        warms = [f for f in pages.figures if f.label.endswith(": warm") and f.times]
        if colds:
            worst = max(colds, key=lambda f: f.median)
            lines.append(
                f"| pages cold < 2 s (slowest: {worst.label[:-6]}) | "
                f"{fmt_seconds(worst.median)} | "
                f"{'met' if worst.median < 2 else '**NOT met**'} |"
            )
        if warms:
            worst = max(warms, key=lambda f: f.median)
            lines.append(
                f"| pages warm < 300 ms (slowest: {worst.label[:-6]}) | "
                f"{fmt_seconds(worst.median)} | "
                f"{'met' if worst.median < 0.3 else '**NOT met**'} |"
            )
    for key in ("metrics", "startup", "browser"):
        section = by_key.get(key)
        if section is None or section.skipped:
            continue
        for fig in section.figures:
            if fig.met is not None:
                lines.append(
                    f"| {fig.label} {fig.target} | {fmt_seconds(fig.median)} | "
                    f"{'met' if fig.met else '**NOT met**'} |"
                )
    return lines


def write(
    path: Path,
    machine: dict[str, str],
    versions: dict[str, str],
    sections: list[Section],
    quick: bool,
    runs: int,
    command: str,
) -> None:
    machine = {**machine, "load_end": load_average()}
    out = [
        "# Benchmarks",
        "",
        f"Written by `{command}` on {machine['date']}"
        + (" — **quick mode: tiny inputs, one run; not for comparison**" if quick else "")
        + f". Each figure is the median and the minimum of {runs} runs unless said otherwise; "
        "every ratio is between medians measured in this same run. Regenerate with "
        "`python -m bench` (about 15 minutes on 2 cores; see README).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {machine['cpu']} |",
        f"| cores | {machine['cores']} |",
        f"| memory | {machine['memory']} |",
        f"| system | {machine['os']} |",
        f"| load average (1 / 5 / 15 min) at the start | {machine['load_start']} |",
        f"| load average at the end | {machine['load_end']} |",
        "",
        "The machine is shared: other work ran at the same time (see the load average), so "
        "absolute times vary between runs by tens of percent; the ratios, measured "
        "back to back, vary less.",
        "",
        "| software | version |",
        "|---|---|",
        *[f"| {name} | {version} |" for name, version in versions.items()],
        "",
        "## Targets",
        "",
        *summary(sections),
        "",
    ]
    for section in sections:
        out.append(section_markdown(section))
    if HISTORY.exists():
        out.append(HISTORY.read_text(encoding="utf-8").rstrip() + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")
