"""A database of the oldest release, with data, upgraded to today (run in a subprocess).

``build_at_oldest()`` migrates an empty database to the *first* migration of every
project app (``MigrationExecutor``), writes a committee's record through the
historical models of that state (``apps.get_model`` on the executor's project state:
the code's models of today would name columns that do not exist yet), and returns the
rows it wrote. ``upgrade_and_read()`` migrates to the head and reads the same rows
through today's models, with the fields later migrations added.

An app whose first migration needs a later migration of another app (a newer feature
app) is left at zero and migrated at the end like the rest.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from meeting.voting.services.audit import GENESIS, entry_hash

UTC = dt.UTC
T0 = dt.datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
SHA = "ab" * 32


def _project_apps(loader) -> list[str]:
    from django.apps import apps
    from django.conf import settings

    root = str(settings.BASE_DIR)
    out = []
    for label in sorted(loader.migrated_apps):
        path = apps.get_app_config(label).path
        if path.startswith(root) and "/.venv/" not in path:
            out.append(label)
    return out


def oldest_targets(loader) -> dict[str, str]:
    """The first migration of each project app whose plan needs no later one of another."""
    firsts = {
        app: min(name for a, name in loader.disk_migrations if a == app)
        for app in _project_apps(loader)
    }
    targets = dict(firsts)
    while True:
        too_far = [
            app
            for app, name in targets.items()
            if any(
                a in firsts and n != firsts[a] for a, n in loader.graph.forwards_plan((app, name))
            )
        ]
        if not too_far:
            return targets
        for app in too_far:
            del targets[app]


def build_at_oldest() -> dict:
    executor = MigrationExecutor(connection)
    targets = oldest_targets(executor.loader)
    executor.migrate(list(targets.items()))
    executor.loader.build_graph()
    applied = sorted(f"{a}.{n}" for a, n in executor.loader.applied_migrations)
    apps = executor.loader.project_state(list(targets.items())).apps
    written = write_record(apps)
    return {"targets": targets, "applied": applied, "written": written}


def write_record(apps) -> dict:
    """A term, members, a session with two sittings, agenda, attendance, a named vote
    with ballots and its audit chain, a document, the floor, a clip, the audit trail."""

    def m(label: str):
        return apps.get_model(*label.split("."))

    User = m("auth.User")
    users = {
        n: User.objects.create(username=n, password="!", is_staff=n == "clerk")
        for n in ("chair", "m1", "m2", "m3", "clerk")
    }
    committee = m("meeting.Committee").objects.create(name="某省人大常委会", short_name="常委会")
    term = m("meeting.Term").objects.create(
        committee=committee, name="第十四届", starts_on=dt.date(2023, 1, 15), is_current=True
    )
    group = m("meeting.DeliberationGroup").objects.create(term=term, name="第一审议组", order=1)
    Member = m("meeting.Member")
    members = {
        n: Member.objects.create(
            user=users[n],
            term=term,
            full_name=f"委员{n}",
            role="chair" if n == "chair" else "clerk" if n == "clerk" else "member",
            seat="" if n == "clerk" else f"00{i}",
            group=None if n == "clerk" else group,
        )
        for i, n in enumerate(users, start=1)
    }
    session = m("meeting.Session").objects.create(
        term=term, number=19, title="第十九次会议", starts_on=T0.date(), state="open"
    )
    Sitting = m("meeting.Sitting")
    plenary = Sitting.objects.create(
        session=session, kind="plenary", title="全体会议", starts_at=T0, state="live"
    )
    grouped = Sitting.objects.create(
        session=session, kind="group", group=group, title="分组会议", starts_at=T0, state="ended"
    )
    Item = m("meeting.AgendaItem")
    items = [Item.objects.create(sitting=plenary, order=k, title=f"审议议题{k}") for k in (1, 2)]
    voters = [members[n] for n in ("chair", "m1", "m2", "m3")]
    m("meeting.Attendance").objects.bulk_create(
        m("meeting.Attendance")(sitting=plenary, member=v, checked_in_at=T0, method="tablet")
        for v in voters
    )

    vote = m("voting.Vote").objects.create(
        sitting=plenary,
        item=items[0],
        question="关于草案的表决",
        kind="named",
        options=[{"key": "yes", "label": "赞成"}, {"key": "no", "label": "反对"}],
        rule_base="roster",
        choices_visible="all",
        state="open",
        opened_at=T0,
    )
    question = m("voting.Question").objects.create(vote=vote, order=1, text=vote.question)
    chain = [("open", None, {})]
    for n, v in enumerate(voters[:3]):
        option = ("yes", "no", "yes")[n]
        ballot = m("voting.Ballot").objects.create(vote=vote, member=v, cast_at=T0)
        m("voting.NamedChoice").objects.create(ballot=ballot, question=question, option=option)
        chain.append(("ballot", v.pk, {"choices": {str(question.pk): option}}))
    prev = GENESIS
    for seq, (kind, member, body) in enumerate(chain, start=1):
        at = T0 + dt.timedelta(seconds=seq)
        digest = entry_hash(prev, vote.pk, seq, kind, member, body, at)
        m("voting.AuditEntry").objects.create(
            vote=vote, seq=seq, kind=kind, member_id=member, body=body, at=at,
            prev_hash=prev, hash=digest,
        )  # fmt: skip
        prev = digest
    m("voting.Vote").objects.filter(pk=vote.pk).update(audit_seq=len(chain), audit_head=prev)

    clerk = users["clerk"]
    doc = m("docs_store.Document").objects.create(session=session, item=items[0], title="条例草案")
    version = m("docs_store.DocumentVersion").objects.create(
        document=doc, number=1, filename="draft.pdf", sha256=SHA, size=1234, pages=3,
        uploaded_by=clerk,
    )  # fmt: skip
    m("docs_store.Document").objects.filter(pk=doc.pk).update(current=version)
    m("docs_store.Rendition").objects.create(sha256=SHA, pages=3, pages_ready=3)

    m("floor.SpeakingRequest").objects.create(
        sitting=grouped, member=members["m1"], requested_at=T0, note=""
    )
    speech = m("floor.Speech").objects.create(
        sitting=grouped, member=members["m1"], kind="speech", started_at=T0,
        ended_at=T0 + dt.timedelta(minutes=3), ended_how="finished",
    )  # fmt: skip
    rec = m("media.Recording").objects.create(
        sitting=grouped, member=members["m1"], source="member", state="done", started_at=T0,
        floor_entry_id=speech.pk,
    )  # fmt: skip
    m("media.Clip").objects.create(
        recording=rec, member=members["m1"], term=term, session=session, sitting=grouped,
        floor_entry_id=speech.pk, source="member", started_at=T0,
        ended_at=T0 + dt.timedelta(minutes=3), duration_s=180.0, size=4096, sha256=SHA,
        path="clips/old/speech.mp4",
    )  # fmt: skip
    m("proceedings.AuditEntry").objects.create(
        at=T0, actor="会务组 秘书", role="clerk", action="vote.open", source="socket",
        summary="开始表决", data={"vote": vote.pk}, session=session, sitting=plenary, user=clerk,
    )  # fmt: skip
    m("realtime.SittingEvent").objects.create(sitting=plenary, seq=1, type="vote.opened")
    m("jobs.Job").objects.create(kind="docs_store.render", payload={"sha256": SHA}, state="done")
    return {
        "members": Member.objects.count(),
        "sittings": [plenary.pk, grouped.pk],
        "vote": vote.pk,
        "ballots": 3,
        "audit_head": prev,
        "document": doc.pk,
        "speech": speech.pk,
    }


def upgrade_and_read() -> dict:
    """Migrate to the head; read the record through today's models."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from core.models import AuditEntry, Member, Sitting
    from docs_store.models import Document
    from media.models import Clip
    from meeting.floor.models import FloorRules, SpeakingRequest, Speech
    from meeting.voting.models import Ballot, Vote
    from meeting.voting.services.audit import verify

    vote = Vote.objects.get()
    audit = AuditEntry.objects.get()
    clip = Clip.objects.get()
    doc = Document.objects.select_related("current").get()
    return {
        "members": Member.objects.count(),
        "card_numbers": sorted(set(Member.objects.values_list("card_number", flat=True))),
        "sittings": sorted(Sitting.objects.values_list("pk", flat=True)),
        "floor_rules": sorted(FloorRules.objects.values_list("sitting_id", flat=True)),
        "vote": vote.pk,
        "vote_state": vote.state,
        "ballots": Ballot.objects.filter(vote=vote).count(),
        "cast_count": vote.cast_count,
        "chain": verify(vote).as_dict(),
        "audit": {
            "action": audit.action,
            "actor": audit.actor,
            "sitting": audit.sitting_id,
            "data": audit.data,
            "table": AuditEntry._meta.db_table,
            "app": AuditEntry._meta.app_label,
        },
        "document": [doc.pk, doc.title, doc.current.sha256, doc.current.pages],
        "speech": Speech.objects.get().pk,
        "requests": SpeakingRequest.objects.count(),
        "clip": [clip.path, clip.duration_s, clip.quality],
    }
