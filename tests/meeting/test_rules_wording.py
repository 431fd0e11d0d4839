"""The outcome's Chinese counts people in 名 and ballots in 票, never "65名（票）" (issue 25)."""

from __future__ import annotations

from meeting.rules import DecisionRule, decide


def test_each_base_has_its_own_counter():
    roster = decide(DecisionRule("roster", 1, 2, True), 65, 50, {"yes": 40, "no": 5})
    assert "全体组成人员65名，" in roster.explanation_zh and "（票）" not in roster.explanation_zh
    decisive = decide(DecisionRule("decisive", 1, 2, True), 65, 50, {"yes": 40, "no": 5})
    assert "赞成与反对票45票" in decisive.explanation_zh
