"""Closing a session (闭会) and asking for its minutes.

Closing ends every sitting (an open floor is ended as finished; an open vote refuses
the close, because only the clerk may decide what a vote's result is), recalls the
session's documents from the tablets, marks the session closed and queues the minutes.
All of it is one transaction: a failure leaves the session open and unchanged.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, clock
from core.errors import DomainError
from core.events import emit
from core.models import AgendaItem, Role, Session, Sitting
from core.policy import Acting
from meeting.proceedings.models import MinutesRun
from meeting.services.agenda import agenda_snapshot

MINUTES_JOB = "proceedings.minutes"


def _refuse_open_votes(session: Session) -> None:
    from meeting.voting.models import Vote

    open_votes = Vote.objects.filter(sitting__session=session, state=Vote.State.OPEN)
    if open_votes.exists():
        v = open_votes.select_related("sitting").first()
        raise DomainError(
            "vote_open",
            _("The vote “%(question)s” is open in %(sitting)s; close it first.")
            % {"question": v.question, "sitting": v.sitting},
            vote=v.pk,
            sitting=v.sitting_id,
        )


def _end_floors(sitting: Sitting) -> int:
    from meeting.floor.models import Speech
    from meeting.floor.services.floor import end

    n = 0
    for sp in Speech.objects.filter(sitting=sitting, ended_at__isnull=True):
        end(sitting.pk, role="clerk", speech_id=sp.pk)
        n += 1
    return n


def _recall_documents(session: Session, by) -> int:
    """Recall every distributed document of the session from the tablets (收回文件)."""
    from docs_store.models import Document
    from docs_store.services.distribution import recall

    if not Document.objects.filter(session=session, state=Document.State.DISTRIBUTED).exists():
        return 0
    if by is None:
        raise DomainError("invalid", _("Recalling documents needs to know who closes the session."))
    # closing the session is the session clerk's (meeting/proceedings/access.py)
    return len(recall(session, actor=Acting(role=Role.CLERK), by=by))


def _end_sitting(sitting: Sitting) -> None:
    sitting.agenda_items.filter(state=AgendaItem.State.CURRENT).update(state=AgendaItem.State.DONE)
    sitting.state = Sitting.State.ENDED
    sitting.save(update_fields=["state"])
    # the agenda as it now is (no item current): pages render it, never re-derive it
    payload = {"state": sitting.state, "at": clock.now().isoformat()}
    emit(sitting.pk, "sitting.state", payload | {"agenda": agenda_snapshot(sitting)})


@transaction.atomic
def close_session(session: Session, *, by=None) -> MinutesRun:
    """End the session and queue its minutes; returns the minutes run to watch."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.state == Session.State.CLOSED:
        raise DomainError(
            "session_closed", _("%(session)s is already closed.") % {"session": session}
        )
    _refuse_open_votes(session)
    floors = 0
    for sitting in session.sittings.select_for_update().order_by("starts_at", "id"):
        floors += _end_floors(sitting)
        _end_sitting(sitting)
    recalled = _recall_documents(session, by)
    session.state = Session.State.CLOSED
    session.ends_on = session.ends_on or timezone.localdate()
    session.save(update_fields=["state", "ends_on"])
    audit.record(
        by,
        "session.close",
        session=session,
        summary=_("%(title)s: %(floors)s floor(s) ended, %(recalled)s document(s) recalled")
        % {"title": session.title, "floors": floors, "recalled": recalled},
        data={"floors_ended": floors, "documents_recalled": recalled},
    )
    return request_minutes(session, by=by)


@transaction.atomic
def request_minutes(session: Session, *, by=None) -> MinutesRun:
    """Queue a (new) generation of the minutes of a closed session."""
    from jobs.services import enqueue

    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.state != Session.State.CLOSED:
        raise DomainError("not_closed", _("%(session)s is not closed yet.") % {"session": session})
    run = MinutesRun.objects.create(session=session, requested_by=by, stage="queued")
    run.job = enqueue(MINUTES_JOB, {"run": run.pk}, key=f"{MINUTES_JOB}:{run.pk}", priority=50)
    run.save(update_fields=["job"])
    audit.record(
        by, "minutes.request", session=session, summary=_("minutes run %(run)s") % {"run": run.pk}
    )
    return run


def latest_run(session: Session) -> MinutesRun | None:
    return session.minutes_runs.select_related("job").order_by("-created_at", "-id").first()
