"""Real Chromium: the clerk's console says when a document's rendering failed for good."""

from __future__ import annotations

import pytest

from harness.browser import launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SETUP = """
from django.contrib.auth import get_user_model
from docs_store.models import Rendition
from docs_store.services.upload import Upload, upload_documents
from core.models import Sitting
from tests.docs_store.conftest import make_pdf

sitting = Sitting.objects.get(kind="plenary")
clerk = get_user_model().objects.get(username="clerk")
[doc] = upload_documents(sitting.session, [Upload("坏文件.pdf", make_pdf(2), "无法生成的文件")], by=clerk)
Rendition.objects.filter(sha256=doc.current.sha256).update(failed="RuntimeError: test")
result = {"sitting": sitting.pk, "doc": doc.pk}
"""


async def test_console_shows_a_failed_rendering(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1, extra_env={"YITING_INPROCESS_WORKERS": "false"}).start(
        demo_members=6
    ) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                clerk = await logged_in_page(
                    browser, base, "clerk", DEMO_PASSWORD, width=1440, height=900
                )
                await clerk.goto(f"{base}/console/{info['sitting']}/")
                await clerk.wait_for_selector("#conn[data-state=live]")
                row = f'#docs-table tr[data-doc="{info["doc"]}"]'
                await clerk.wait_for_selector(f"{row} .error", timeout=20000)
                assert "页面生成失败" in await clerk.text_content(row)
                await shot(clerk, "docs-console-render-failed")
            finally:
                await browser.close()
