"""The demo's history: a closed past session with real clips, summaries and a released brief."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import av
from django.core.management import call_command

from core.models import Session
from docs_store.models import Document
from media.models import Clip
from meeting.briefs.demo import PAST_NUMBER, released_brief
from meeting.briefs.models import Summary
from meeting.floor.models import Speech


def test_demo_loads_a_recorded_past_session_once(db, settings):
    from django.conf import settings as conf

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("demo", members=20, stdout=out)
    past = Session.objects.get(number=PAST_NUMBER)
    assert past.state == "closed"
    speeches = Speech.objects.filter(sitting__session=past)
    clips = Clip.objects.filter(session=past)
    assert speeches.count() == clips.count() >= 8
    clip = clips.first()
    path = Path(conf.MEDIA_ROOT) / clip.path
    with av.open(str(path)) as c:
        kinds = {s.type for s in c.streams}
        duration = c.duration / av.time_base
    assert kinds == {"video", "audio"} and 3.5 <= duration <= 4.6
    summarised = Summary.objects.filter(speech__in=speeches).count()
    assert speeches.count() / 2 < summarised < speeches.count()  # most, not all
    brief = released_brief(past.term)
    doc = Document.objects.get(pk=brief.document_id)
    assert doc.state == "distributed" and doc.session_id == past.pk
    assert "/briefs/" in out.getvalue()
    call_command("demo", members=20, stdout=StringIO())
    assert Speech.objects.filter(sitting__session=past).count() == speeches.count()
    assert Session.objects.filter(number=PAST_NUMBER).count() == 1


def test_no_documents_means_no_history(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", members=12, no_documents=True, stdout=StringIO())
    assert not Session.objects.filter(number=PAST_NUMBER).exists()
    call_command("demo", members=12, no_documents=True, history=True, stdout=StringIO())
    assert Session.objects.filter(number=PAST_NUMBER).exists()
