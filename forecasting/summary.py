"""What ``forecast run`` prints: the scenarios side by side, the variance to the council
plan and a ranking, in £m (overspends and deficits positive, negatives in brackets)."""

from __future__ import annotations

from .formats import millions
from .results import Headline
from .run import Run


def _by_year(run: Run, area: str, measure: str, title: str, width: int) -> list[str]:
    years = run.projections[0].years
    lines = [title, f"{'':<{width}}" + "".join(f"{y.replace('-', '/'):>10}" for y in years)]
    for p in run.projections:
        values = p[(area, measure)][0]
        lines.append(f"{p.scenario:<{width}}" + "".join(f"{millions(v):>10}" for v in values))
    return lines


def ranks(values: list[float]) -> list[int]:
    """1 for the smallest; equal values share a rank, as Excel's RANK gives them."""
    return [1 + sum(other < v for other in values) for v in values]


def summary_text(run: Run) -> str:
    h: list[Headline] = run.headlines
    if not h:
        return ""
    width = max(12, *(len(x.scenario) for x in h)) + 2
    first, final = run.projections[0].years[1], h[0].final_year
    base = next(x for x in h if x.scenario == run.plan.scenario)
    lines = ["Figures in £m; overspends and deficits are positive, negatives in brackets.", ""]
    lines += _by_year(run, "csc", "overspend", "Children's social care overspend", width)
    lines.append("")
    lines += _by_year(run, "dsg", "cumulative_deficit", "DSG cumulative deficit at 31 March", width)
    lines.append("")
    over_rank = ranks([x.overspend_forecast_total for x in h])
    deficit_rank = ranks([x.cumulative_deficit_final for x in h])
    span = f"{first}..{final[-2:]}"
    lines.append(f"Ranked (1 = best); variance to {base.scenario}")
    lines.append(
        f"{'':<{width}}{'overspend':>10}{'variance':>10}{'rank':>5}"
        f"{'deficit':>10}{'variance':>10}{'rank':>5}{'transfers':>11}  deficit clears"
    )
    lines.append(
        f"{'':<{width}}{span:>10}{'':>10}{'':>5}{'end ' + final[-5:]:>10}{'':>10}"
        f"{'':>5}{'total':>11}"
    )
    for x, ro, rd in zip(h, over_rank, deficit_rank, strict=True):
        lines.append(
            f"{x.scenario:<{width}}{millions(x.overspend_forecast_total):>10}"
            f"{millions(x.overspend_forecast_total - base.overspend_forecast_total):>10}{ro:>5}"
            f"{millions(x.cumulative_deficit_final):>10}"
            f"{millions(x.cumulative_deficit_final - base.cumulative_deficit_final):>10}{rd:>5}"
            f"{millions(x.transfers_total):>11}  {x.deficit_clears}"
        )
    if run.draws:
        pct = run.percentiles
        lines += [
            "",
            f"Range from {run.draws['n']:,} draws (P10 / P50 / P90), end {final}",
        ]
        lines.append(f"{'':<{width}}{'DSG deficit':>30}{'CSC overspend':>30}")
        for x in h:
            d = pct.get((x.scenario, "cumulative_deficit"))
            o = pct.get((x.scenario, "overspend"))
            if d is None or o is None:
                continue
            fmt = " / ".join
            lines.append(
                f"{x.scenario:<{width}}"
                f"{fmt(millions(d[q][-1]) for q in ('p10', 'p50', 'p90')):>30}"
                f"{fmt(millions(o[q][-1]) for q in ('p10', 'p50', 'p90')):>30}"
            )
    return "\n".join(lines)
