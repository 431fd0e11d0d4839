"""The briefs page counts the work left; the term book stays on the page; dates read as
Chinese dates (issue 25, items 10 and 11)."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from jobs.runner import run_until_idle
from meeting.briefs.services.content import chinese_date
from meeting.briefs.services.summaries import save_summary


def client_for(member) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


def test_each_group_sitting_says_how_many_speeches_are_summarised_and_wait(archive):
    save_summary(archive.staff.user, archive.sp1, "要点", [])
    html = client_for(archive.staff).get("/briefs/").content.decode()
    row = re.search(rf'<tr data-sitting="{archive.group_a_sitting.pk}"[^>]*>', html).group(0)
    # four finished speeches (one without a clip), one of them summarised
    assert 'data-speeches="4"' in row and 'data-summarised="1"' in row
    assert 'data-waiting="3"' in row


def test_the_term_book_link_is_there_after_a_reload(archive):
    staff = client_for(archive.staff)
    assert "term-book-file" not in staff.get("/briefs/").content.decode()
    staff.post(f"/briefs/books/terms/{archive.term.pk}/")
    run_until_idle()
    html = staff.get("/briefs/").content.decode()  # a reload: the page knows the book
    link = re.search(r'class="term-book-file" href="([^"]+)"', html)
    assert link, html
    assert staff.get(link.group(1).replace("&amp;", "&")).status_code == 200


def test_a_chinese_date_has_no_leading_zero():
    assert chinese_date(dt.date(2026, 12, 6)) == "2026年12月6日"
