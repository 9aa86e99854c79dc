"""A scenario knows every file its figures come from (``Scenario.inputs``): its YAML files
and the history CSVs of its fitted trends. The inputs hash on each workbook covers them all,
so a changed history is a changed run."""

from __future__ import annotations

from forecasting.excel.front import input_hash
from forecasting.loading import load, load_scenario

from .conftest import with_trend


def test_inputs_are_the_yaml_files_then_the_trend_history(editable_set):
    history = with_trend(editable_set)
    s = load_scenario(editable_set / "scenarios" / "council-plan.yaml")
    assert s.inputs[: len(s.files)] == s.files
    assert [p.resolve() for p in s.inputs[len(s.files) :]] == [history.resolve()]
    assert {f.name for f in s.files} >= {"childrens_services.yaml", "council-plan.yaml"}


def test_a_set_without_trends_has_only_its_yaml_files_as_inputs(editable_set):
    for s in load(editable_set):
        assert s.inputs == s.files and s.histories == []


def test_the_inputs_hash_changes_when_a_trend_history_changes(editable_set):
    history = with_trend(editable_set)
    before = input_hash(load(editable_set))
    assert input_hash(load(editable_set)) == before  # the same inputs, the same hash
    history.write_text(history.read_text() + "\n")  # the same figures, a different file
    assert input_hash(load(editable_set)) != before
