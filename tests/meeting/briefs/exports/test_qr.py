"""The QR codes of a brief PDF: a phone's reader scans one to the clip at the quoted second.

The page is rasterised as a printer or a screen would (pypdfium2, PDFium) and read by
zbar (Debian's ``zbar-tools``, installed by ``./yiting test`` as it installs chromium);
the mask each code carries is read back from its format bits (ISO/IEC 18004, 7.9).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import segno

from meeting.briefs.exports.common import moment_url
from meeting.briefs.exports.qr import qr_modules
from meeting.briefs.services.briefs import create_brief
from meeting.briefs.services.exports import export_brief
from meeting.briefs.services.summaries import clip_of, save_summary

pytestmark = pytest.mark.django_db


def _zbarimg() -> str:
    found = shutil.which("zbarimg")
    if not found:
        pytest.fail("zbarimg missing: ./yiting test installs Debian's zbar-tools")
    return found


def _decode_pages(pdf: bytes, tmp_path) -> list[str]:
    """Every QR code zbar reads on the PDF's pages rendered at 288 dpi."""
    found = []
    doc = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(doc)):
            png = tmp_path / f"page-{i}.png"
            doc[i].render(scale=4).to_pil().convert("L").save(png)
            out = subprocess.run(
                [_zbarimg(), "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(png)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert out.returncode in (0, 4), out.stderr  # 4: no code on this page
            found += out.stdout.split()
    finally:
        doc.close()
    return found


def _mask(modules: tuple[tuple[bool, ...], ...]) -> int:
    """The mask pattern named by the format bits beside the top-left finder (row 8)."""
    value = 0
    for dark in modules[8][:5]:  # error level (2 bits) and mask (3 bits), XOR 10101
        value = value * 2 + int(dark)
    return (value ^ 0b10101) & 0b111


def test_a_code_in_the_brief_pdf_scans_to_the_clip_at_the_quoted_second(archive, client, tmp_path):
    staff = archive.staff.user
    save_summary(staff, archive.sp1, "建议明确罚则。", [{"at": 17.6, "text": "罚则要明确"}])
    pdf = export_brief(create_brief(staff, sitting=archive.group_a_sitting), "pdf")
    clip = clip_of(archive.sp1)

    urls = _decode_pages(pdf, tmp_path)

    assert moment_url(str(clip.public_id), 17) in urls, urls  # the quote's code: its whole second
    url = urlsplit(moment_url(str(clip.public_id), 17))
    client.force_login(staff)
    resp = client.get(url.path)  # where the phone lands
    assert resp.status_code == 200
    assert 'id="moment" data-at="17"' in resp.content.decode()
    assert resp.context["clip"] == clip


def test_each_code_carries_the_mask_the_standard_penalty_chooses():
    """Not one fixed mask: segno scores all eight and keeps the lowest penalty."""
    urls = [f"https://yiting.example.gov.cn/briefs/clips/{n:032x}/at/{n}/" for n in range(24)]
    masks = [_mask(qr_modules(u)) for u in urls]
    assert masks == [segno.make_qr(u, error="m").mask for u in urls]
    assert len(set(masks)) > 1, masks


def test_the_test_command_installs_zbar_like_chromium():
    """CI runs ./yiting test on a fresh machine: zbarimg must come with it, never a skip."""
    script = (Path(__file__).resolve().parents[4] / "yiting").read_text()
    start = script.index("\n  test)\n")
    assert "ensure_zbar" in script[start : script.index(";;", start)]
    assert "apt_install zbar-tools" in script
