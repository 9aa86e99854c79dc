"""The caveats log lists every estimate in the bundled set, and every figure has a source."""

from __future__ import annotations

from forecasting.loading import iter_params, load_base

from .conftest import BUNDLED


def test_caveats_log_lists_every_estimate():
    log = (BUNDLED / "caveats.md").read_text()
    s = load_base(BUNDLED)
    missing = [
        ".".join(path)
        for path, p in iter_params(s.assumptions)
        if p.basis == "estimate" and f"`{'.'.join(path)}`" not in log
    ]
    assert not missing, f"add to the set's caveats.md: {missing}"


def test_benchmarks_are_labelled_as_such():
    s = load_base(BUNDLED)
    for path, p in iter_params(s.assumptions):
        if p.basis == "benchmark":
            assert "benchmark" in p.source.lower(), ".".join(path)
        if p.basis == "report":
            assert "report s" in p.source.lower(), ".".join(path)
