"""How much a council's yearly demand growth wanders from its own trend, and how long a
deviation lasts: the yearly shock carried in the Monte Carlo draws.

From the national extract, each council's yearly log growth in EHC plans and children
looked after; the deviation of each year's growth from the council's mean over the same
years; and, pooled over councils, a robust standard deviation of those deviations (the
spread of the middle 80%, over 2.563) and their year-to-year (lag-one) correlation. These
are the ``yearly_shock`` figures of the bundled assumption set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.national import dataset
from forecasting.widths import robust_sd

MEASURES = {"ehcp_total": "2014-15", "children_looked_after": "2009-10"}


def shocks(extract: pd.DataFrame) -> dict[str, dict[str, float]]:
    las = extract[extract["level"] == "la"]
    out = {}
    for measure, since in MEASURES.items():
        m = las[(las["measure"] == measure) & (las["period"] >= since)]
        wide = m.pivot_table(index="la_code", columns="period", values="value").sort_index(axis=1)
        growth = np.log(wide.where(wide > 0)).diff(axis=1).iloc[:, 1:]
        dev = growth.sub(growth.mean(axis=1), axis=0)
        flat = dev.to_numpy().ravel()
        flat = flat[np.isfinite(flat)]
        sd = robust_sd(flat)
        a, b = dev.iloc[:, :-1].to_numpy().ravel(), dev.iloc[:, 1:].to_numpy().ravel()
        ok = np.isfinite(a) & np.isfinite(b) & (np.abs(a) < 3 * sd) & (np.abs(b) < 3 * sd)
        rho = float(np.corrcoef(a[ok], b[ok])[0, 1])
        out[measure] = {
            "sd": sd,
            "persistence": rho,
            "councils": int(wide.shape[0]),
            "years": f"{wide.columns[0]} to {wide.columns[-1]}",
        }
    return out


def main() -> None:
    for measure, r in shocks(dataset.load_extract()).items():
        print(
            f"{measure:<24} yearly shock sd {r['sd']:.3f} (log growth), persistence "
            f"{r['persistence']:.2f}; {r['councils']} councils, {r['years']}"
        )


if __name__ == "__main__":
    main()
