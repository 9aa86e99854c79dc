"""The short table ``forecast run`` prints: headline figures per scenario, in £m."""

from __future__ import annotations

from .run import Run


def _m(v: float) -> str:
    return f"({abs(v) / 1e6:,.1f})" if v < 0 else f"{v / 1e6:,.1f}"


def summary_text(run: Run) -> str:
    h = run.headlines
    final = h[0].final_year if h else ""
    first = run.projections[0].years[1] if run.projections else ""
    head = (
        f"{'scenario':<28} {'CSC overspend':>14} {'overspend':>10} {'transfers':>10} "
        f"{'DSG deficit':>12}  deficit clears"
    )
    sub = f"{'':<28} {first + ' to ' + final:>14} {final:>10} {'total':>10} {'end ' + final:>12}"
    lines = [
        "Headline figures, £m (overspends and deficits positive; brackets negative)",
        head,
        sub,
    ]
    for r in h:
        lines.append(
            f"{r.scenario:<28} {_m(r.overspend_forecast_total):>14} "
            f"{_m(r.overspend_final_year):>10} {_m(r.transfers_total):>10} "
            f"{_m(r.cumulative_deficit_final):>12}  {r.deficit_clears}"
        )
    return "\n".join(lines)
