"""Real headless Chromium on a real Daphne process: the clerk uploads through the console.

The browser's own file button says "Choose Files" in English whatever the page's
language; the console hides it behind a Chinese label and shows the chosen names. A good
PDF becomes a row of the documents table; a file that is not a PDF is refused with the
Chinese message for its code, and nothing is added.
"""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from core.pdffont import cjk_font
from harness.browser import allow_console_error, launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD


def bill() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(cjk_font(), 14)
    c.drawString(72, 750, "第一条 为了规范数据处理活动，制定本条例。")
    c.showPage()
    c.save()
    return buf.getvalue()


async def test_clerk_uploads_a_pdf_and_a_bad_file_from_the_console(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        plenary = stack.python(
            "from core.models import Sitting\n"
            "result = Sitting.objects.get(kind='plenary', session__number=20).pk"
        )
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                page = await logged_in_page(browser, base, "clerk", PW, width=1440, height=900)
                await page.goto(f"{base}/console/{plenary}/")
                await page.wait_for_selector("#conn[data-state=live]")
                picked = page.locator("#docs-picked")
                assert await picked.text_content() == "未选择文件"
                assert "选择 PDF 文件" in await page.locator("label.docs-pick").text_content()
                before = await page.locator("#docs-table tr").count()
                # the upload form folds away once the sitting has documents (issue 25)
                if not await page.is_visible("#docs-upload"):
                    await page.click("#docs-upload-box summary")

                files = page.locator("#docs-upload input[name=files]")
                await files.set_input_files(
                    [{"name": "数据条例.pdf", "mimeType": "application/pdf", "buffer": bill()}]
                )
                assert await picked.text_content() == "数据条例.pdf"
                await shot(page, "screens/console-upload-picked")
                await page.click("#docs-upload button.primary")
                await page.wait_for_function(
                    f"document.querySelectorAll('#docs-table tr').length > {before}",
                    timeout=20000,
                )
                assert "数据条例" in await page.locator("#docs-table").text_content()
                await page.wait_for_function(
                    "document.getElementById('docs-picked').textContent === '未选择文件'"
                )

                allow_console_error("status of 400")  # the refused upload, on purpose
                await files.set_input_files(
                    [{"name": "说明.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}]
                )
                await page.click("#docs-upload button.primary")
                error = page.locator("#docs-upload-errors li[data-code=not_pdf]")
                await error.wait_for(timeout=10000)
                text = await error.text_content()
                assert "PDF" in text and "不是" in text
                assert not any(
                    "a" <= ch.lower() <= "z" for ch in text.replace("PDF", "").replace(".pdf", "")
                )
                assert await page.locator("#docs-table tr").count() == before + 1
                await shot(page, "screens/console-upload-refused")
            finally:
                await browser.close()
