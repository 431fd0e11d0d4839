"""Tokens: the same normalisation for pages and queries, Chinese without a segmenter."""

from __future__ import annotations

from docs_store.search.tokens import index_columns, normalise, query_terms


def test_normalise_joins_chinese_across_line_wraps_and_folds_width():
    assert normalise("数据\n安全法 ＡＢＣ１２\n  text") == "数据安全法 abc12 text"


def test_index_columns_hold_unigrams_and_bigrams_of_each_run():
    uni, bi = index_columns("数据安全，Law 2026")
    assert uni.split() == ["数", "据", "安", "全", "law", "2026"]
    assert bi.split() == ["数据", "据安", "安全", "law", "2026"]


def test_a_one_character_run_stands_for_itself_in_the_bigram_column():
    assert index_columns("法。")[1] == "法"


def test_query_of_n_characters_is_the_phrase_of_its_bigrams():
    [term] = query_terms("数据安全")
    assert (term.column, term.tokens) == ("bi", ("数据", "据安", "安全"))


def test_single_characters_and_words_use_the_unigram_column():
    terms = query_terms("法 Privacy")
    assert [(t.column, t.tokens) for t in terms] == [("uni", ("法",)), ("uni", ("privacy",))]


def test_punctuation_only_has_no_terms():
    assert query_terms("，。！？ ... ——") == []


def test_a_space_in_a_query_separates_terms():
    assert [t.text for t in query_terms("数据 本法")] == ["数据", "本法"]
