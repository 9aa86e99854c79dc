"""Item names that would shadow a line the model computes are refused at validation, with
the file and line, instead of silently replacing that line's figures."""

from __future__ import annotations

from click.testing import CliRunner

from cli import main


def validate(folder) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["validate", str(folder)])
    return r.exit_code, r.output + r.stderr


def test_a_fixed_line_named_like_alternative_provision_is_refused(editable_set):
    f = editable_set / "high_needs.yaml"
    text = f.read_text()
    f.write_text(text.replace("    hospital_education: {", "    alternative_provision: {", 1))
    code, out = validate(editable_set)
    line = 1 + text.splitlines().index(
        next(x for x in text.splitlines() if x.startswith("    hospital_education: {"))
    )
    assert code == 2
    assert f"high_needs.yaml:{line}: high_needs.fixed_lines.alternative_provision:" in out
    assert "the name of a line the model computes" in out


def test_a_provision_named_post16_is_refused(editable_set):
    f = editable_set / "high_needs.yaml"
    f.write_text(f.read_text().replace("    other_provision:\n", "    post16:\n", 1))
    code, out = validate(editable_set)
    assert code == 2 and "high_needs.provisions.post16:" in out and "high_needs.yaml:" in out


def test_a_fixed_line_named_like_a_provision_is_refused(editable_set):
    f = editable_set / "high_needs.yaml"
    f.write_text(f.read_text().replace("    hospital_education: {", "    mainstream: {", 1))
    code, out = validate(editable_set)
    assert (
        code == 2
        and "high_needs.fixed_lines.mainstream: 'mainstream' is the name of a provision" in out
    )


def test_the_bundled_names_are_accepted(bundled):
    code, out = validate(bundled)
    assert code == 0, out


def test_an_overflow_must_go_to_another_item_without_a_capacity(editable_set):
    """Demand above a capacity needs somewhere to go: another item of the same kind with no
    capacity of its own. Both kinds (placement types, provisions) are checked alike."""
    cs = editable_set / "childrens_services.yaml"
    cs.write_text(cs.read_text().replace("      overflow_to: ifa", "      overflow_to: nowhere", 1))
    hn = editable_set / "high_needs.yaml"
    text = hn.read_text()
    hn.write_text(
        text.replace(
            "      overflow_to: independent_special", "      overflow_to: academy_special", 1
        )
    )
    code, out = validate(editable_set)
    assert code == 2
    assert (
        "childrens_services.placements.in_house_fostering.overflow_to: 'nowhere' is not "
        "another placement type" in out
    )
    assert (
        "high_needs.provisions.maintained_special.overflow_to: 'academy_special' has a "
        "capacity of its own" in out
    )
