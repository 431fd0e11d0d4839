"""Two versions of a draft compared article by article (修改对照).

``compare(old, new)`` takes the articles of each version (``ParsedArticle``,
``DraftArticle`` or dicts: anything with ``label``, ``text`` and optionally ``part``,
``chapter``, ``section``) and returns the comparison as JSON-ready data. It is pure.

**Aligned by content, not by number.** An article inserted early renumbers every later
one, so numbers say nothing. Each article's text is cut into character pairs
(bigrams) weighted by rarity (a pair found in every article, like "应当", weighs
little); two articles' likeness is the weighted share of pairs they have in common.
Pairs sharing a rare bigram are weighed first, and the most alike are taken (likeness
≥ ``ANCHOR``, identical texts before all); of these, the longest
run keeping both versions' order stands, and a pair out of that order is a *moved*
article if it is alike enough (``MOVE``). Between two pairs in order, the remaining
articles of either side are paired in order where likeness ≥ ``GAP`` (an article
rewritten in place); what is left is added (new only) or deleted (old only).

**Statuses.** ``unchanged`` (same text, whitespace aside), ``modified``, ``added``,
``deleted``, ``moved``: out of the versions' order, or in another chapter (a chapter
is followed through renumbering and renaming: old chapter X "goes to" the new chapter
that most of its articles went to; an article standing elsewhere moved). A moved
article's ``ops`` show its edits too, and ``edited`` says whether it has any.

**Inside a modified article** a character diff (diff-match-patch) is cleaned up to
phrases (``_fold_short_equalities``): an equal run that only splits one change is
folded into it, so a reader sees "应当 → 可以" and "二十 → 十五个工作", not "二" struck
and "五个工作" inserted around a kept "十", nor a lone "的" inside a rewritten clause. Joining the ``=`` and
``-`` texts gives the old article's text, the ``=`` and ``+`` texts the new one's
(whitespace aside: whitespace-only edits are not shown as edits).

**Order.** The new version's order; a deleted article comes where it stood (before
the next old article that is still in order), an added one where it stands.

The result::

    {"old_articles": 150, "new_articles": 152, "aligned_share": 0.98,
     "low_alignment": false,
     "counts": {"unchanged": 130, "modified": 15, "added": 3, "deleted": 1, "moved": 1},
     "pairs": [{"old": "第十条", "new": "第十一条", "status": "modified",
                "ops": [["=", "…"], ["-", "应当"], ["+", "可以"], ["=", "…"]],
                "edited": true, "old_ordinal": 10, "new_ordinal": 11,
                "old_chapter": "第二章　…", "new_chapter": "第二章　…"}, …]}

``aligned_share`` is the share of articles (of both versions) that found a partner;
below ``LOW_ALIGNMENT`` the two files are most likely different drafts.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

ANCHOR = 0.5  # likeness for a first, sure pairing
MOVE = 0.6  # likeness for a pairing out of order to stand (a moved article)
GAP = 0.3  # likeness for pairing left-over articles in place (rewritten in place)
LOW_ALIGNMENT = 0.3  # below this share of paired articles the clerk is warned
SHORT_EQUAL = 2  # equal runs this short between edits are folded into them
STATUSES = ("unchanged", "modified", "added", "deleted", "moved")

_WS = re.compile(r"\s+")
_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】—…·,.;:?!()[]\"'\n")
_HEADING_NUMBER = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+[编章节]\s*")


class NotComparable(ValueError):
    """One side has no articles: there is nothing to compare (never "no changes")."""


@dataclass(frozen=True)
class _Art:
    label: str
    text: str
    norm: str
    chapter: str
    part: str


def _get(obj, name: str, default: str = "") -> str:
    if isinstance(obj, dict):
        return obj.get(name) or default
    return getattr(obj, name, default) or default


def _arts(items: Sequence) -> list[_Art]:
    out = []
    for a in items:
        text = _get(a, "text")
        out.append(
            _Art(_get(a, "label"), text, _WS.sub("", text), _get(a, "chapter"), _get(a, "part"))
        )
    return out


def _grams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


class _Likeness:
    """Weighted bigram likeness of (old, new) article pairs.

    ``found`` holds, from the start, the pairs sharing a rare bigram (in at most a
    thirtieth of all the articles, or three) with likeness ≥ ``GAP``, and identical
    texts (1.0): the candidates for sure pairings. Pairs sharing only common bigrams
    ("应当", "的，") are weighed only when asked (``get``, for the articles left between
    two sure pairings), which keeps this near linear instead of quadratic."""

    def __init__(self, old: list[_Art], new: list[_Art]):
        self.old_g = [_grams(a.norm) for a in old]
        self.new_g = [_grams(a.norm) for a in new]
        df: Counter[str] = Counter()
        for g in self.old_g + self.new_g:
            df.update(g)
        total = len(self.old_g) + len(self.new_g)
        self.weight = {g: math.log(1 + total / n) for g, n in df.items()}
        self.old_w = [sum(self.weight[g] for g in gs) for gs in self.old_g]
        self.new_w = [sum(self.weight[g] for g in gs) for gs in self.new_g]
        self.cache: dict[tuple[int, int], float] = {}
        rare = max(3, total // 30)
        postings: dict[str, list[int]] = defaultdict(list)
        for i, gs in enumerate(self.old_g):
            for g in gs:
                if df[g] <= rare:
                    postings[g].append(i)
        self.found: dict[tuple[int, int], float] = {}
        for j, gs in enumerate(self.new_g):
            candidates: set[int] = set()
            for g in gs:
                if df[g] <= rare:
                    candidates.update(postings.get(g, ()))
            for i in candidates:
                score = self.get(i, j)
                if score >= GAP:
                    self.found[(i, j)] = score
        same: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(old):
            if a.norm:
                same[a.norm].append(i)
        for j, b in enumerate(new):  # identical texts are certain, whatever their length
            for i in same.get(b.norm, ()):
                self.found[(i, j)] = self.cache[(i, j)] = 1.0

    def get(self, i: int, j: int) -> float:
        key = (i, j)
        if key not in self.cache:
            shared = sum(self.weight[g] for g in self.old_g[i] & self.new_g[j])
            denom = self.old_w[i] + self.new_w[j]
            self.cache[key] = 2 * shared / denom if denom else 0.0
        return self.cache[key]


def _lis(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by new index) increasing in the old index."""
    tails: list[int] = []
    tail_at: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (i, _j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, i)
        if pos == len(tails):
            tails.append(i)
            tail_at.append(k)
        else:
            tails[pos] = i
            tail_at[pos] = k
        back[k] = tail_at[pos - 1] if pos else -1
    out = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        out.add(pairs[k])
        k = back[k]
    return out


def _gap_pairs(olds: list[int], news: list[int], likeness: _Likeness) -> list[tuple[int, int]]:
    """Pair left-over articles between two anchors in order, most likeness in all."""
    if not olds or not news:
        return []
    n, m = len(olds), len(news)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            s = likeness.get(olds[a], news[b])
            take = best[a + 1][b + 1] + s if s >= GAP else -1.0
            best[a][b] = max(take, best[a + 1][b], best[a][b + 1])
    out, a, b = [], 0, 0
    while a < n and b < m:
        s = likeness.get(olds[a], news[b])
        if s >= GAP and best[a][b] == best[a + 1][b + 1] + s:
            out.append((olds[a], news[b]))
            a, b = a + 1, b + 1
        elif best[a][b] == best[a + 1][b]:
            a += 1
        else:
            b += 1
    return out


def align(old: list[_Art], new: list[_Art]) -> tuple[list[tuple[int, int]], set[tuple[int, int]]]:
    """(every pair, by the new index; the pairs among them out of order): indices into
    ``old`` and ``new``."""
    likeness = _Likeness(old, new)
    scores = likeness.found
    n, m = max(len(old), 1), max(len(new), 1)
    ranked = sorted(
        ((s, i, j) for (i, j), s in scores.items() if s >= ANCHOR),
        key=lambda t: (-t[0], abs(t[1] / n - t[2] / m), t[1], t[2]),
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    anchors = []
    for _s, i, j in ranked:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        anchors.append((i, j))
    anchors.sort(key=lambda p: p[1])
    in_order = _lis(anchors)
    moved = {p for p in anchors if p not in in_order and scores[p] >= MOVE}
    taken_old = {i for i, _ in in_order | moved}
    taken_new = {j for _, j in in_order | moved}
    fences = [(-1, -1), *sorted(in_order, key=lambda p: p[1]), (len(old), len(new))]
    pairs = set(in_order)
    for (i0, j0), (i1, j1) in zip(fences, fences[1:], strict=False):
        olds = [i for i in range(i0 + 1, i1) if i not in taken_old]
        news = [j for j in range(j0 + 1, j1) if j not in taken_new]
        pairs.update(_gap_pairs(olds, news, likeness))
    pairs |= moved
    return sorted(pairs, key=lambda p: p[1]), moved


def _chapter_title(chapter: str) -> str:
    return _HEADING_NUMBER.sub("", chapter).strip()


def _chapter_map(old: list[_Art], new: list[_Art], pairs: list[tuple[int, int]]) -> dict:
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for i, j in pairs:
        votes[(old[i].part, old[i].chapter)][(new[j].part, new[j].chapter)] += 1
    return {k: c.most_common(1)[0][0] for k, c in votes.items()}


def _changed_chapter(a: _Art, b: _Art, chapters: dict) -> bool:
    if not a.chapter or not b.chapter:
        return False
    if chapters.get((a.part, a.chapter)) == (b.part, b.chapter):
        return False
    return _chapter_title(a.chapter) != _chapter_title(b.chapter) or a.part != b.part


_dmp = diff_match_patch()
_dmp.Diff_Timeout = 0  # no time limit: the same two articles always give the same diff


def _is_phrase(text: str) -> bool:
    return len(text) <= SHORT_EQUAL and not any(ch in _PUNCT or ch.isspace() for ch in text)


def _merge(ops: list[list[str]]) -> list[list[str]]:
    """Runs of edits as one deletion then one insertion; equal runs joined."""
    out: list[list[str]] = []
    pending = {"-": "", "+": ""}

    def flush() -> None:
        for op in "-+":
            if pending[op]:
                out.append([op, pending[op]])
                pending[op] = ""

    for op, text in ops:
        if not text:
            continue
        if op == "=":
            flush()
            if out and out[-1][0] == "=":
                out[-1][1] += text
            else:
                out.append(["=", text])
        else:
            pending[op] += text
    flush()
    return out


def _fold_short_equalities(ops: list[list[str]]) -> list[list[str]]:
    """Fold equal runs that only split one change into the edits around them.

    - A one- or two-character run between a deletion and an insertion: "-二 =十
      +五个工作" is the substitution "二十 → 十五个工作", split where both share a
      character.
    - A run much shorter than the edits on both sides (under half of each): the "的"
      left standing inside a rewritten sentence.

    A run holding punctuation stays (changes read clause by clause), and so does a short
    run between two substitutions ("-应当 +可以 =在 -二十 +十五"): each reads whole.
    diff-match-patch's own semantic cleanup would fold that "在" too ("应当在二十 →
    可以在十五") and then split overlaps apart again, so it is not used."""
    changed = True
    while changed:
        changed = False
        runs: list[list[list[str]]] = []  # equal runs alone, edits grouped
        for op in ops:
            if op[0] != "=" and runs and runs[-1][0][0] != "=":
                runs[-1].append(op)
            else:
                runs.append([op])
        folded: list[list[str]] = []
        for k, run in enumerate(runs):
            text = run[0][1]
            inner = run[0][0] == "=" and 0 < k < len(runs) - 1
            if inner and _folds(text, runs[k - 1], runs[k + 1]):
                folded += [["-", text], ["+", text]]
                changed = True
            else:
                folded += run
        ops = _merge(folded)
    return ops


def _folds(text: str, before: list[list[str]], after: list[list[str]]) -> bool:
    if any(ch in _PUNCT or ch.isspace() for ch in text):
        return False
    kinds = {frozenset(op for op, _ in before), frozenset(op for op, _ in after)}
    if len(text) <= SHORT_EQUAL and kinds == {frozenset("-"), frozenset("+")}:
        return True
    size = min(max(len(t) for _, t in before), max(len(t) for _, t in after))
    return 2 * len(text) < size


def _quiet_whitespace(ops: list[list[str]]) -> list[list[str]]:
    """Whitespace-only edits (a paragraph broken differently) are not edits."""
    out = []
    for op, text in ops:
        if op != "=" and not text.strip():
            if op == "+":
                out.append(["=", text])
            continue
        out.append([op, text])
    return _merge(out)


def diff_ops(old: str, new: str) -> list[list[str]]:
    """The cleaned-up character diff of two article texts, as ``[[op, text], …]``."""
    if _WS.sub("", old) == _WS.sub("", new):
        return [["=", new]] if new else []
    diffs = _dmp.diff_main(old, new)
    symbol = {0: "=", -1: "-", 1: "+"}
    ops = _merge([[symbol[op], text] for op, text in diffs])
    return _quiet_whitespace(_fold_short_equalities(ops))


def _pair(old: _Art | None, new: _Art | None, status: str, oi, nj) -> dict:
    if old is not None and new is not None:
        ops = diff_ops(old.text, new.text)
    elif new is not None:
        ops = [["+", new.text]]
    else:
        assert old is not None
        ops = [["-", old.text]]
    return {
        "old": old.label if old else None,
        "new": new.label if new else None,
        "status": status,
        "ops": ops,
        "edited": any(op != "=" for op, _ in ops),
        "old_ordinal": oi + 1 if old else None,
        "new_ordinal": nj + 1 if new else None,
        "old_chapter": old.chapter if old else None,
        "new_chapter": new.chapter if new else None,
    }


def compare(old: Sequence, new: Sequence) -> dict:
    """The comparison of two versions' articles (see the module's docstring)."""
    a, b = _arts(old), _arts(new)
    if not a or not b:
        raise NotComparable("one of the versions has no articles")
    pairs, moved = align(a, b)
    chapters = _chapter_map(a, b, [p for p in pairs if p not in moved])
    by_new = {j: i for i, j in pairs}
    matched_old = {i for i, _ in pairs}
    deleted = [i for i in range(len(a)) if i not in matched_old]
    out: list[dict] = []
    d = 0

    def flush(before: int) -> None:
        nonlocal d
        while d < len(deleted) and deleted[d] < before:
            out.append(_pair(a[deleted[d]], None, "deleted", deleted[d], None))
            d += 1

    order_ptr = 0
    in_order_pairs = [(i, j) for i, j in pairs if (i, j) not in moved]
    for j in range(len(b)):
        while order_ptr < len(in_order_pairs) and in_order_pairs[order_ptr][1] < j:
            order_ptr += 1
        next_old = in_order_pairs[order_ptr][0] if order_ptr < len(in_order_pairs) else len(a)
        flush(next_old)
        i = by_new.get(j)
        if i is None:
            out.append(_pair(None, b[j], "added", None, j))
            continue
        same = a[i].norm == b[j].norm
        if (i, j) in moved or _changed_chapter(a[i], b[j], chapters):
            status = "moved"
        else:
            status = "unchanged" if same else "modified"
        out.append(_pair(a[i], b[j], status, i, j))
    flush(len(a))
    share = 2 * len(pairs) / (len(a) + len(b))
    counts = Counter(p["status"] for p in out)
    return {
        "old_articles": len(a),
        "new_articles": len(b),
        "aligned_share": round(share, 3),
        "low_alignment": share < LOW_ALIGNMENT,
        "counts": {s: counts.get(s, 0) for s in STATUSES},
        "pairs": out,
    }
