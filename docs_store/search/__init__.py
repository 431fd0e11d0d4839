"""Full-text search in the session's documents (文件检索).

Text of every page is extracted at ingest (``extract``), stored per PDF content and
page (``PageText``), and indexed as character unigrams and bigrams (``tokens``) so
Chinese, which has no spaces between words, is found without a segmenter: a query of
n Chinese characters is the phrase of its n−1 bigrams. The index is SQLite FTS5 on the
embedded default and PostgreSQL full-text search (``simple`` configuration, phrase
operator) in production (``backend``). ``services`` answers a reader's query with only
the documents that reader may read, as snippets and highlight boxes.
"""
