"""An area is a folder: one written here, into a temporary folder the registry searches,
is validated, projected, tabulated and written into the finance model with live formulas
and generated checks, without a line of the schema, engine, loader or writers changing."""

from __future__ import annotations

import io
import sys
import textwrap

import pytest
from openpyxl import load_workbook

from forecasting import areas, schema
from forecasting.run import forecast

DEMO = {
    "__init__.py": """
        from .. import Area

        AREA = Area("demo_area", "demo", "Demo area", package=__name__)
    """,
    "schema.py": """
        from pydantic import Field

        from ...schema import AnnualCost, Strict


        class Section(Strict):
            cost_per_plan: AnnualCost = Field(description="a cost per EHCP")
    """,
    "engine.py": """
        def project(inp, proj):
            section = inp.a.area("demo_area")
            proj.add("demo", "cost_per_plan", "GBP", inp.series(section.cost_per_plan), "Cost")
            proj.add("demo", "plans", "count", proj[("dsg", "ehcp_total")], "Plans")
            proj.add("demo", "cost", "GBP",
                     proj[("demo", "plans")] * proj[("demo", "cost_per_plan")], "Cost of plans")
            proj.total("demo", "with_plans", "GBP", "Cost and plans", ("cost", "plans"))
    """,
    "workbook.py": """
        def inputs(g, ws, proj):
            g.section(ws, "demo drivers", proj.scenario)
            g.input_row(ws, proj, "demo", "cost_per_plan")
            g.input_row(ws, proj, "demo", "plans")


        def calcs(g, ws, proj):
            s = proj.scenario
            g.section(ws, "demo", s)
            g.calc_row(ws, s, "demo", "cost", "Cost of plans", "GBP",
                       lambda i: g.ref(s, "demo", "plans", i, ws) + "*"
                       + g.ref(s, "demo", "cost_per_plan", i, ws))
            g.total_row(ws, proj, "demo", "with_plans")
    """,
}


@pytest.fixture()
def demo_area(tmp_path, monkeypatch):
    folder = tmp_path / "areas" / "demo"
    folder.mkdir(parents=True)
    for name, text in DEMO.items():
        (folder / name).write_text(textwrap.dedent(text))
    monkeypatch.setattr(areas, "__path__", [*areas.__path__, str(tmp_path / "areas")])
    areas.folders.cache_clear()
    schema.set_model.cache_clear()
    yield
    for m in [m for m in sys.modules if m.startswith("forecasting.areas.demo")]:
        del sys.modules[m]
    areas.folders.cache_clear()
    schema.set_model.cache_clear()


def test_a_new_area_folder_is_found_run_and_written(demo_area, editable_set):
    (editable_set / "demo.yaml").write_text(
        "demo_area:\n  cost_per_plan: {value: 10, unit: GBP/year, basis: estimate, source: test}\n"
    )
    run = forecast(editable_set, ("council-plan",))
    plan = run.projections[0]
    plans = plan[("dsg", "ehcp_total")][0]
    assert plan[("demo", "cost")][0] == pytest.approx(plans * 10)
    assert ("demo", "with_plans") in plan.lines and any(r[1] == "demo" for r in run.records)

    from forecasting.excel.finance_model import finance_model

    wb = load_workbook(io.BytesIO(finance_model(run)), read_only=True)  # row by row
    cells = [v for row in wb["Demo area"].iter_rows(values_only=True) for v in row]
    assert any(str(v).startswith("=") and "*" in str(v) for v in cells)
    checks = [v for (v,) in wb["Checks"].iter_rows(min_col=4, max_col=4, values_only=True) if v]
    assert "with_plans = cost + plans" in checks


def test_a_new_area_section_is_validated_with_file_and_line(demo_area, editable_set):
    from click.testing import CliRunner

    from cli import main

    (editable_set / "demo.yaml").write_text(
        "demo_area:\n  cost_per_plan: {value: -1, unit: GBP/year, basis: estimate, source: test}\n"
    )
    r = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert r.exit_code == 2
    assert "demo.yaml:2: demo_area.cost_per_plan" in r.output + r.stderr
