"""Decision rules (表决规则) as data: what a vote needs to pass, in exact integers.

Pure Python on purpose, importable without Django set up: the rule that decides a bill
is checked by the result sheet, the minutes and the tests alike, and must never depend
on a database or a float.

A rule is a *base* (whom the threshold is measured against) and a *threshold*
``numerator / denominator``, strict ("more than") or not ("at least"):

- ``roster``   all component members (全体组成人员): absentees, abstentions and
  members who did not press all count against the motion. A standing committee's
  bills pass with more than half of these.
- ``present``  members present at the close (出席).
- ``cast``     every ballot cast, abstentions included.
- ``decisive`` yes and no only; abstentions left out, as some assemblies count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Base = Literal["roster", "present", "cast", "decisive"]
BASES: tuple[str, ...] = ("roster", "present", "cast", "decisive")

_BASE_WORDS = {
    "roster": ("component members", "全体组成人员"),
    "present": ("members present", "出席人员"),
    "cast": ("ballots cast", "投票人数"),
    "decisive": ("yes-and-no ballots", "赞成与反对票"),
}
# the Chinese counter of each base: people are 名/人, ballots 票 (never "65名（票）")
_BASE_UNIT_ZH = {"roster": "名", "present": "名", "cast": "人", "decisive": "票"}


@dataclass(frozen=True)
class DecisionRule:
    """Base × threshold, e.g. more than half of all component members: ``("roster", 1, 2, True)``."""

    base: Base
    numerator: int
    denominator: int
    strict: bool

    def __post_init__(self) -> None:
        if self.base not in BASES:
            raise ValueError(f"unknown base {self.base!r}; one of {', '.join(BASES)}")
        if not isinstance(self.numerator, int) or not isinstance(self.denominator, int):
            raise ValueError("numerator and denominator must be integers")
        if self.denominator <= 0 or not 0 < self.numerator <= self.denominator:
            raise ValueError(
                f"threshold {self.numerator}/{self.denominator} must be a fraction in (0, 1]"
            )
        if self.numerator == self.denominator and self.strict:
            raise ValueError("more than all can never pass")

    @property
    def threshold_words(self) -> str:
        """'more than half', 'at least two thirds', or 'more than 3/5'."""
        named = {(1, 2): "half", (2, 3): "two thirds", (3, 4): "three quarters", (1, 1): "all"}
        n, d = _reduced(self.numerator, self.denominator)
        frac = named.get((n, d), f"{n}/{d}")
        return f"{'more than' if self.strict else 'at least'} {frac}"

    @property
    def threshold_words_zh(self) -> str:
        named = {(1, 2): "半数", (2, 3): "三分之二", (3, 4): "四分之三", (1, 1): "全体"}
        n, d = _reduced(self.numerator, self.denominator)
        frac = named.get((n, d), f"{_zh_fraction(n, d)}")
        return f"{'过' if self.strict else '达到'}{frac}"

    @property
    def label(self) -> str:
        """The whole rule, base included: 'more than half of all component members'."""
        return f"{self.threshold_words} of {_BASE_WORDS[self.base][0]}"

    @property
    def label_zh(self) -> str:
        """The whole rule, base always named: '全体组成人员的过半数', '出席人员的三分之二以上'.

        '过半数' alone is ambiguous (of whom?), and the base is what decides a bill.
        """
        base = _BASE_WORDS[self.base][1]
        if self.strict:
            return f"{base}的{self.threshold_words_zh}"
        named = {(1, 2): "半数", (2, 3): "三分之二", (3, 4): "四分之三", (1, 1): "全体"}
        n, d = _reduced(self.numerator, self.denominator)
        return f"{base}的{named.get((n, d), _zh_fraction(n, d))}以上"

    def as_dict(self) -> dict:
        return {
            "base": self.base,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "strict": self.strict,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> DecisionRule:
        return cls(d["base"], d["numerator"], d["denominator"], d["strict"])


# The rules a clerk picks from; others can be built from the same four fields.
MAJORITY_OF_ROSTER = DecisionRule("roster", 1, 2, True)
TWO_THIRDS_OF_ROSTER = DecisionRule("roster", 2, 3, False)
MAJORITY_OF_PRESENT = DecisionRule("present", 1, 2, True)
MAJORITY_OF_CAST = DecisionRule("cast", 1, 2, True)
MAJORITY_OF_DECISIVE = DecisionRule("decisive", 1, 2, True)


@dataclass(frozen=True)
class Outcome:
    """Whether the motion passed, the fewest yes votes that pass, and the arithmetic."""

    passed: bool
    required: int
    base_size: int
    yes: int
    explanation: str
    explanation_zh: str

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "required": self.required,
            "base_size": self.base_size,
            "yes": self.yes,
            "explanation": self.explanation,
            "explanation_zh": self.explanation_zh,
        }


def required_yes(rule: DecisionRule, base_size: int) -> int:
    """The fewest yes votes meeting the threshold over ``base_size`` (never fewer than 1).

    strict:     yes * d >  n * base  →  yes = floor(n * base / d) + 1
    not strict: yes * d >= n * base  →  yes = ceil(n * base / d)
    """
    product = rule.numerator * base_size
    need = product // rule.denominator + 1 if rule.strict else -(-product // rule.denominator)
    return max(need, 1)


def base_size(rule: DecisionRule, roster_size: int, present: int, counts: Mapping[str, int]) -> int:
    if rule.base == "roster":
        return roster_size
    if rule.base == "present":
        return present
    if rule.base == "cast":
        return sum(counts.values())
    return counts.get("yes", 0) + counts.get("no", 0)


def decide(
    rule: DecisionRule, roster_size: int, present: int, counts: Mapping[str, int]
) -> Outcome:
    """Decide one question: ``counts`` maps option to votes, e.g. ``{"yes": 40, "no": 10}``.

    A member who did not press is not in ``counts``; under the roster or present base
    they count against the motion exactly like an abstention.
    """
    _check_counts(roster_size, present, counts)
    size = base_size(rule, roster_size, present, counts)
    need = required_yes(rule, size)
    yes = counts.get("yes", 0)
    passed = size > 0 and yes >= need
    en_base, zh_base = _BASE_WORDS[rule.base]
    en = f"yes {yes} of {size} {en_base}; {rule.threshold_words} requires {need}"
    zh = f"赞成{yes}票，{zh_base}{size}{_BASE_UNIT_ZH[rule.base]}，{rule.threshold_words_zh}需{need}票"
    verdict = ("passed", "通过") if passed else ("not passed", "未通过")
    return Outcome(passed, need, size, yes, f"{en}: {verdict[0]}", f"{zh}：{verdict[1]}")


def _check_counts(roster_size: int, present: int, counts: Mapping[str, int]) -> None:
    if not isinstance(roster_size, int) or not isinstance(present, int):
        raise ValueError("roster_size and present must be integers")
    if roster_size < 0 or present < 0:
        raise ValueError("roster_size and present must not be negative")
    for option, n in counts.items():
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"count of {option!r} must be a non-negative integer, got {n!r}")


def _reduced(n: int, d: int) -> tuple[int, int]:
    from math import gcd

    g = gcd(n, d)
    return n // g, d // g


def _zh_fraction(n: int, d: int) -> str:
    digits = "零一二三四五六七八九十"
    if n <= 10 and d <= 10:
        return f"{digits[d]}分之{digits[n]}"
    return f"{n}/{d}"
