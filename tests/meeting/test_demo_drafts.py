"""The demo's second reading of its first item: two real draft PDFs read article by
article and compared (an inserted article renumbers, two reworded, one deleted), three
members' submitted opinions on three articles, two speeches tied to articles, and a
brief compiled by article whose PDF says "关于第十二条"."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from core.models import Session
from docs_store.drafts.models import DraftArticle, DraftComparison, DraftStructure
from docs_store.models import Document
from meeting.briefs.demo import PAST_NUMBER
from meeting.briefs.models import Brief
from meeting.briefs.services.exports import export_brief
from meeting.demo_drafts import TITLE
from meeting.opinions.models import ArticleBrief, Opinion, SpeechArticle

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_second_reading_with_a_brief_by_article(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", members=12, no_documents=True, history=True, stdout=StringIO())
    past = Session.objects.get(number=PAST_NUMBER)
    doc = Document.objects.get(session=past, title=TITLE)
    assert doc.state == "distributed" and doc.versions.count() == 2
    assert doc.placements.count() == 4  # read in every group sitting under item 1
    old, new = doc.versions.order_by("number")
    assert {s.status for s in DraftStructure.objects.filter(version__in=[old, new])} == {"parsed"}
    assert DraftArticle.objects.filter(version=old).count() == 16
    assert DraftArticle.objects.filter(version=new).count() == 16
    chapters = set(DraftArticle.objects.filter(version=new).values_list("chapter", flat=True))
    assert len(chapters) == 5
    comparison = DraftComparison.objects.get(new_version=new)
    assert comparison.status == "ready" and comparison.old_version_id == old.pk
    statuses = {(p["old"], p["new"]): p["status"] for p in comparison.pairs}
    assert statuses[(None, "第四条")] == "added"
    assert statuses[("第四条", "第五条")] == "unchanged"  # renumbered by the insertion
    assert statuses[("第七条", "第八条")] == "modified"
    assert statuses[("第九条", None)] == "deleted"
    assert statuses[("第十二条", "第十二条")] == "modified"
    opinions = Opinion.objects.filter(document=doc, state="submitted")
    assert opinions.count() == 3
    assert len({o.member_id for o in opinions}) == 3
    assert {o.article.label for o in opinions} == {"第八条", "第十二条", "第十五条"}
    ties = SpeechArticle.objects.filter(article__version=new).order_by("article__ordinal")
    assert [(t.article.label, t.start_s) for t in ties] == [("第十二条", 2.0), ("第十五条", None)]
    brief = Brief.objects.get(session=past, item_order=1)
    assert ArticleBrief.objects.get(brief=brief).version_id == new.pk
    text = "".join(
        "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(export_brief(brief, "pdf"))).pages
        ).split()
    )
    assert "关于第十二条" in text and "过渡期的期限建议在条文中写明" in text
    assert "给中小企业一个过渡期" in text  # the quote of the stretch tied to 第十二条
    call_command("demo", members=12, no_documents=True, history=True, stdout=StringIO())
    assert Document.objects.filter(title=TITLE).count() == 1  # idempotent
    assert Opinion.objects.count() == 3
