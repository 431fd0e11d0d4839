"""Normalising and tokenising text for the index, identically for pages and queries.

Chinese has no spaces between words, and the committee's vocabulary (bill titles,
legal terms) is not in any segmenter's dictionary, so we index characters: each run of
CJK characters becomes its overlapping bigrams (for phrases of two or more characters)
and its single characters (for one-character queries); Latin words and numbers become
lower-cased words. Both index and query go through the same functions, so whatever the
database's own tokenizer does to these tokens it does on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# CJK Unified Ideographs (+ Extension A), compatibility ideographs, kana, hangul.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_WRAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")

MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 8


def normalise(text: str, *, join_wraps: bool = True) -> str:
    """NFKC (full-width letters and digits to ASCII), lower case, and on pages the
    spaces inside Chinese removed (a PDF line break falls between two characters of one
    word). In a query a space separates terms, so it is kept there."""
    text = unicodedata.normalize("NFKC", text).lower()
    if join_wraps:
        text = _WRAP.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _is_cjk(run: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", run))


def _bigrams(run: str) -> list[str]:
    """Overlapping pairs of a CJK run; a one-character run stands for itself."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_columns(text: str) -> tuple[str, str]:
    """The two indexed columns of one page: (unigrams and words, bigrams and words)."""
    uni, bi = [], []
    for run in _RUN.findall(normalise(text)):
        if _is_cjk(run):
            uni.extend(run)
            bi.extend(_bigrams(run))
        else:
            uni.append(run)
            bi.append(run)
    return " ".join(uni), " ".join(bi)


@dataclass(frozen=True)
class Term:
    """One term of a query: the text to find and the tokens the index is asked for."""

    text: str
    column: str  # "uni" or "bi"
    tokens: tuple[str, ...]


def query_terms(query: str) -> list[Term]:
    """The terms of a reader's query (all must occur on a page, each as a phrase)."""
    terms = []
    for run in _RUN.findall(normalise(query, join_wraps=False)):
        if _is_cjk(run) and len(run) > 1:
            terms.append(Term(run, "bi", tuple(_bigrams(run))))
        else:
            terms.append(Term(run, "uni", (run,)))
    return terms
