"""Console wording between the features (issue 25, item 11).

The speaking log opens from its summary and downloads from a separate link (a click in
the middle of "发言记录 (2) · CSV" downloaded the file); the overview says the sitting's
state beside its title, not the socket's "在线"; the keys line uses a full-width colon.
"""

from __future__ import annotations

import re

from django.test import Client


def _clerk(committee) -> Client:
    c = Client()
    c.force_login(committee.clerk.user)
    return c


def test_the_speaking_log_and_its_csv_are_two_controls(committee):
    html = _clerk(committee).get(f"/console/{committee.plenary.pk}/").content.decode()
    summary = re.search(r'<details id="floor-log-box"><summary>(.*?)</summary>', html, re.S)
    assert summary and "<a" not in summary.group(1), summary
    assert re.search(r'<a id="floor-log-csv"[^>]*>下载发言记录（CSV）</a>', html)
    assert "快捷键：" in html


def test_the_overview_says_each_sittings_state(committee):
    html = _clerk(committee).get("/console/").content.decode()
    col = html.split(f'data-sitting="{committee.plenary.pk}"')[1]
    pill = re.search(r'data-f="state" data-state="planned">([^<]*)<', col)
    assert pill and pill.group(1) == "未开始", col[:600]
    dot = re.search(r'<span class="conn conn-dot"[^>]*>([^<]*)</span>', col)
    assert dot and dot.group(1) == ""  # the connection is a dot; its word in the tooltip


def test_counts_and_labels_take_chinese_marks_and_english_ones_in_english(committee):
    """ "排队 (0)" and "发言记录 (0)" were ASCII brackets after Chinese; the template tags
    write the page language's marks (as words.js does in the browser)."""
    from django.template import Context, Template
    from django.utils import translation

    html = _clerk(committee).get(f"/console/{committee.plenary.pk}/").content.decode()
    assert '排队（<span id="floor-queue-count">0</span>）' in html
    assert '发言记录（<span id="floor-log-count">0</span>）' in html
    t = Template("{% load yiting_words %}A{% colon %}B{% aside_open %}1{% aside_close %}")
    with translation.override("zh-hans"):
        assert t.render(Context()) == "A：B（1）"
    with translation.override("en"):
        assert t.render(Context()) == "A: B (1)"
