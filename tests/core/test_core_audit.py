"""The impact-ratio audit against a small table worked out by hand."""

from __future__ import annotations

import pytest

from matcher.core.audit import AuditStage, Grouping, Person, RaceEthnicity, Sex, impact_ratios

F, M, SEX_ND = Sex.female, Sex.male, Sex.not_disclosed
WHITE, ASIAN, NHPI, RACE_ND = (
    RaceEthnicity.white,
    RaceEthnicity.asian,
    RaceEthnicity.native_hawaiian_or_pacific_islander,
    RaceEthnicity.not_disclosed,
)
#: (sex, race, people, hired): 100 people in all.
TABLE = [
    (F, WHITE, 20, 6),
    (F, ASIAN, 20, 4),
    (M, WHITE, 25, 10),
    (M, ASIAN, 25, 5),
    (M, NHPI, 1, 1),  # 1% of the data: reported, left out of the ratios
    (SEX_ND, WHITE, 5, 1),
    (F, RACE_ND, 4, 0),
]


def people() -> list[Person]:
    out = []
    for sex, race, n, hired in TABLE:
        for i in range(n):
            selected = {AuditStage.top_n} | ({AuditStage.hired} if i < hired else set())
            out.append(Person(sex, race, frozenset(selected)))
    return out


def rows(stage: AuditStage, grouping: Grouping) -> dict[str, tuple[int, int, float, float | None, str]]:
    return {
        r.category: (r.people, r.selected, r.rate, r.impact_ratio, r.counted)
        for r in impact_ratios(people(), [stage], [grouping])
    }


def test_sex_by_hand() -> None:
    # female 44 people, 10 hired: 0.2273; male 51, 16 hired: 0.3137 (the highest);
    # female's ratio (10/44) / (16/51) = 510/704 = 0.7244. Not disclosed: 5, 1 hired, no ratio.
    got = rows(AuditStage.hired, Grouping.sex)
    assert list(got) == ["female", "male", "not_disclosed"]
    assert got["female"][:2] == (44, 10) and got["female"][2] == pytest.approx(10 / 44)
    assert got["female"][3] == pytest.approx(510 / 704)
    assert got["male"][:2] == (51, 16) and got["male"][3] == pytest.approx(1.0)
    assert got["not_disclosed"] == (5, 1, pytest.approx(0.2), None, "not_disclosed")


def test_race_by_hand_leaves_a_category_under_two_percent_out_of_the_ratios() -> None:
    # white 50 people, 17 hired: 0.34 (the highest counted); asian 45, 9: 0.2 -> 0.2/0.34 = 10/17.
    # native hawaiian or pacific islander: 1 person, hired (rate 1.0) but 1% < 2%: no ratio, and
    # it does not become the reference.
    got = rows(AuditStage.hired, Grouping.race_ethnicity)
    assert got["white"] == (50, 17, pytest.approx(0.34), pytest.approx(1.0), "ratio")
    assert got["asian"] == (45, 9, pytest.approx(0.2), pytest.approx(10 / 17), "ratio")
    assert got["native_hawaiian_or_pacific_islander"] == (1, 1, 1.0, None, "under_2_percent")
    assert got["not_disclosed"] == (4, 0, 0.0, None, "not_disclosed")


def test_intersections_by_hand() -> None:
    # female x white 6/20 = 0.3, female x asian 0.2, male x white 0.4 (highest), male x asian 0.2;
    # ratios 0.75, 0.5, 1.0, 0.5; anyone with a part not disclosed: 5 + 4 = 9 people, 1 hired.
    got = rows(AuditStage.hired, Grouping.intersection)
    assert {k: v[3] for k, v in got.items()} == {
        "female x asian": pytest.approx(0.5),
        "female x white": pytest.approx(0.75),
        "male x asian": pytest.approx(0.5),
        "male x native_hawaiian_or_pacific_islander": None,
        "male x white": pytest.approx(1.0),
        "not_disclosed": None,
    }
    assert got["not_disclosed"][:2] == (9, 1)
    assert (
        got["male x white"][4] == "ratio"
        and got["male x native_hawaiian_or_pacific_islander"][4] == "under_2_percent"
    )


def test_everyone_selected_means_ratios_of_one_and_nobody_selected_means_no_ratio() -> None:
    assert {r.impact_ratio for r in impact_ratios(people(), [AuditStage.top_n]) if r.counted == "ratio"} == {
        1.0
    }
    assert {r.impact_ratio for r in impact_ratios(people(), [AuditStage.presented])} == {None}
    assert impact_ratios([], [AuditStage.hired]) == []
