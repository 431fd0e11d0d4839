"""Chinese PDFs with known text, uploaded and indexed as the worker would."""

from __future__ import annotations

import pytest

from harness.pdf import chinese_pdf


@pytest.fixture
def indexed(committee, upload, rendered):
    """Upload (and distribute) Chinese PDFs, then run rendering and indexing jobs."""

    def _indexed(pages: list[list[str]], **kwargs):
        [doc] = upload(("文件.pdf", chinese_pdf(pages)), distribute=True, **kwargs)
        rendered()
        doc.refresh_from_db()
        return doc

    return _indexed
