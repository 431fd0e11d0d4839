"""Decision rules: a table of real-looking cases, exact integers, and bad rules refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from meeting.rules import (
    MAJORITY_OF_CAST,
    MAJORITY_OF_DECISIVE,
    MAJORITY_OF_PRESENT,
    MAJORITY_OF_ROSTER,
    TWO_THIRDS_OF_ROSTER,
    DecisionRule,
    decide,
    required_yes,
)

ROOT = Path(__file__).resolve().parents[2]

CASES = [
    # rule, roster, present, counts, passed, required
    # Standing committee, 65 component members: more than half of all is 33.
    (MAJORITY_OF_ROSTER, 65, 55, {"yes": 40, "no": 10, "abstain": 5}, True, 33),
    (MAJORITY_OF_ROSTER, 65, 55, {"yes": 33, "no": 2, "abstain": 20}, True, 33),
    # 32 yes of 65 is not more than half, however few said no.
    (MAJORITY_OF_ROSTER, 65, 40, {"yes": 32, "no": 0, "abstain": 0}, False, 33),
    # Even roster: exactly half is not more than half.
    (MAJORITY_OF_ROSTER, 64, 64, {"yes": 32, "no": 32}, False, 33),
    (MAJORITY_OF_ROSTER, 64, 64, {"yes": 33, "no": 31}, True, 33),
    # Absentees count against: 30 of 31 present say yes but the roster is 65.
    (MAJORITY_OF_ROSTER, 65, 31, {"yes": 30, "no": 1}, False, 33),
    # Two thirds of 65 is 43.33 → at least 44; of 66 exactly 44.
    (TWO_THIRDS_OF_ROSTER, 65, 65, {"yes": 43, "no": 22}, False, 44),
    (TWO_THIRDS_OF_ROSTER, 65, 65, {"yes": 44, "no": 21}, True, 44),
    (TWO_THIRDS_OF_ROSTER, 66, 60, {"yes": 44, "no": 10, "abstain": 6}, True, 44),
    # Present base: 50 present, more than half is 26; did-not-vote counts against.
    (MAJORITY_OF_PRESENT, 65, 50, {"yes": 26, "no": 10}, True, 26),
    (MAJORITY_OF_PRESENT, 65, 50, {"yes": 25, "no": 0, "abstain": 0}, False, 26),
    # Cast base: abstentions are ballots; tie 20/20 with 1 abstention fails.
    (MAJORITY_OF_CAST, 65, 50, {"yes": 20, "no": 20, "abstain": 1}, False, 21),
    (MAJORITY_OF_CAST, 65, 50, {"yes": 21, "no": 10, "abstain": 10}, True, 21),
    # Decisive base: abstentions left out; 21 yes vs 20 no passes despite 9 abstentions.
    (MAJORITY_OF_DECISIVE, 65, 50, {"yes": 21, "no": 20, "abstain": 9}, True, 21),
    (MAJORITY_OF_DECISIVE, 65, 50, {"yes": 20, "no": 20, "abstain": 10}, False, 21),
    # Nobody voted: nothing passes on any base.
    (MAJORITY_OF_CAST, 65, 40, {"yes": 0, "no": 0, "abstain": 0}, False, 1),
    (MAJORITY_OF_DECISIVE, 65, 40, {"abstain": 40}, False, 1),
    # Three fifths, non-strict: of 65 → 39.
    (DecisionRule("roster", 3, 5, False), 65, 65, {"yes": 39, "no": 26}, True, 39),
    (DecisionRule("roster", 3, 5, False), 65, 65, {"yes": 38, "no": 27}, False, 39),
    # Unanimity of those present.
    (DecisionRule("present", 1, 1, False), 9, 7, {"yes": 7}, True, 7),
    (DecisionRule("present", 1, 1, False), 9, 7, {"yes": 6, "abstain": 1}, False, 7),
]


@pytest.mark.parametrize("rule,roster,present,counts,passed,required", CASES)
def test_decide_table(rule, roster, present, counts, passed, required):
    out = decide(rule, roster, present, counts)
    assert (out.passed, out.required) == (passed, required)
    assert out.explanation.endswith(": passed" if passed else ": not passed")


def test_explanation_shows_the_arithmetic():
    out = decide(MAJORITY_OF_ROSTER, 65, 55, {"yes": 40, "no": 10, "abstain": 5})
    assert out.explanation.startswith("yes 40 of 65 component members; more than half requires 33")
    assert "赞成40票" in out.explanation_zh and "过半数需33票" in out.explanation_zh
    two = decide(TWO_THIRDS_OF_ROSTER, 65, 65, {"yes": 44})
    assert "at least two thirds requires 44" in two.explanation
    assert "达到三分之二需44票" in two.explanation_zh


def test_exact_integers_at_scale_no_float_rounding():
    # 2/3 of 3 * 10**18 is exactly 2 * 10**18: a float would be off.
    big = 3 * 10**18
    assert required_yes(TWO_THIRDS_OF_ROSTER, big) == 2 * 10**18
    assert required_yes(MAJORITY_OF_ROSTER, big) == big // 2 + 1


def test_required_is_the_fewest_that_pass():
    for rule in (MAJORITY_OF_ROSTER, TWO_THIRDS_OF_ROSTER, DecisionRule("roster", 3, 5, True)):
        for n in range(1, 200):
            need = required_yes(rule, n)
            assert decide(rule, n, n, {"yes": need}).passed
            if need > 1:
                assert not decide(rule, n, n, {"yes": need - 1}).passed


@pytest.mark.parametrize(
    "args,message",
    [
        (("everyone", 1, 2, True), "unknown base"),
        (("roster", 0, 2, True), "fraction"),
        (("roster", 3, 2, False), "fraction"),
        (("roster", 1, 0, True), "fraction"),
        (("roster", 1, 1, True), "more than all"),
        (("roster", 0.5, 1, True), "integers"),
    ],
)
def test_bad_rules_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        DecisionRule(*args)


@pytest.mark.parametrize(
    "roster,present,counts",
    [(-1, 0, {}), (5, -2, {}), (5, 5, {"yes": -1}), (5, 5, {"yes": 1.0}), (5, 5, {"yes": True})],
)
def test_bad_counts_are_refused(roster, present, counts):
    with pytest.raises(ValueError):
        decide(MAJORITY_OF_ROSTER, roster, present, counts)


def test_rule_round_trips_as_data():
    rule = DecisionRule("decisive", 2, 3, False)
    assert DecisionRule.from_dict(rule.as_dict()) == rule


def test_importable_without_django():
    code = (
        "import sys; import meeting.rules as r; "
        "assert 'django' not in sys.modules, 'rules imported django'; "
        "print(r.decide(r.MAJORITY_OF_ROSTER, 65, 50, {'yes': 33}).passed)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_every_label_names_its_base():
    from meeting.rules import DecisionRule

    assert DecisionRule("roster", 1, 2, True).label_zh == "全体组成人员的过半数"
    assert DecisionRule("present", 2, 3, False).label_zh == "出席人员的三分之二以上"
    assert DecisionRule("cast", 1, 2, True).label_zh == "投票人数的过半数"
    assert DecisionRule("roster", 1, 2, True).label == "more than half of component members"
