"""The rulebook (core/policy.py): one rule per action, asked by services and sockets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import policy
from core.errors import DomainError
from core.models import Role
from harness.actors import CHAIR, CLERK, MEMBER
from meeting.services import agenda

ROOT = Path(__file__).resolve().parents[2]


def test_every_protocol_command_has_its_rule_and_takes_its_roles_from_it():
    from realtime.protocol import REGISTRY

    for type_, spec in REGISTRY.commands.items():
        assert type_ in policy.RULES, type_
        assert spec.roles == policy.roles_for(type_), type_


def test_a_command_without_a_rule_fails_at_registration():
    from realtime.protocol.base import CommandData, command

    with pytest.raises(LookupError, match="no rule"):

        @command("nobody.knows", example={})
        class Nobody(CommandData):
            pass


def test_docs_policy_md_is_in_step_with_the_rules():
    on_disk = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    assert on_disk == policy.table_markdown(), (
        "docs/policy.md is out of step: python -m core.policy docs/policy.md"
    )


def test_roles_are_the_enum_and_compare_with_socket_strings():
    assert all(isinstance(r, Role) for rule in policy.RULES.values() for r in rule.roles)
    assert policy.may("chair", "vote.open") and policy.may(Role.CLERK, "vote.open")
    assert not policy.may("member", "vote.open") and not policy.may(None, "sync")
    assert policy.is_clerk("clerk") and not policy.is_clerk("chair")
    assert policy.is_live("chair") and not policy.is_live("staff")


def test_one_definition_of_live_roles_and_clerk_in_production_code():
    literal = re.compile(
        r"""[({]\s*["'](?:chair|clerk)["']\s*,\s*["'](?:chair|clerk)["']\s*[,)}]"""
    )
    hits = []
    for pkg in ("meeting", "realtime", "docs_store", "media", "frontend"):
        for p in (ROOT / pkg).rglob("*.py"):
            if "migrations" in p.parts or p.name == "policy.py":
                continue
            for n, line in enumerate(p.read_text().splitlines(), 1):
                if literal.search(line) and ".get(" not in line:
                    hits.append(f"{p.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []


@pytest.mark.django_db
def test_the_vote_services_ask_the_policy(committee):
    from meeting.voting import services
    from meeting.voting.models import Vote

    s = committee.plenary
    item = s.agenda_items.first()
    spec = services.VoteSpec(item_id=item.pk, question="表决")
    with pytest.raises(DomainError) as exc:
        services.prepare(s.pk, spec, actor=MEMBER)
    assert exc.value.code == "forbidden" and exc.value.details["allowed"] == ["chair", "clerk"]
    vote = services.prepare(s.pk, spec, actor=CHAIR)
    for fn in (services.open_vote, services.close_vote, services.announce):
        with pytest.raises(DomainError, match="may not") as exc:
            fn(s.pk, vote.pk, actor=MEMBER)
        assert exc.value.code == "forbidden"
    with pytest.raises(DomainError):
        services.cancel(s.pk, vote.pk, "故障", actor=policy.Acting(role=Role.DISPLAY))
    assert Vote.objects.get(pk=vote.pk).state == Vote.State.PREPARED  # nothing changed
    services.cancel(s.pk, vote.pk, "故障", actor=CLERK)


@pytest.mark.django_db
def test_agenda_and_documents_services_ask_the_policy(committee):
    from docs_store.services import distribution

    s = committee.plenary
    with pytest.raises(DomainError, match="may not agenda.open"):
        agenda.open_item(s.pk, s.agenda_items.first().pk, actor=MEMBER)
    with pytest.raises(DomainError, match="may not agenda.step"):
        agenda.step(s.pk, 1, actor=policy.Acting(role=Role.STAFF))
    for fn in (distribution.distribute, distribution.recall):
        with pytest.raises(DomainError) as exc:
            fn(s.session, actor=CHAIR, by=committee.chair.user)  # the clerk alone
        assert exc.value.code == "forbidden"


@pytest.mark.django_db
def test_clips_are_the_reviewers_not_the_django_staff_clerk(committee):
    clerk = committee.clerk.user
    clerk.is_staff = True  # the demo's clerk may enter the admin site
    clerk.save()
    assert not policy.may_review_clips(clerk)
    assert policy.may_review_clips(committee.staff.user)
    assert not policy.may_review_clips(committee.members[0].user)
    committee.staff.active = False
    committee.staff.save()
    assert not policy.may_review_clips(committee.staff.user)


def test_cited_clips_are_played_by_a_briefs_readers_and_asked_in_the_rulebook(committee):
    from django.contrib.auth.models import AnonymousUser

    assert "clips.play_cited" in policy.RULES

    def never():  # a reviewer or the speaker needs no brief: the briefs are not read
        raise AssertionError("asked for a brief")

    member, other = committee.members[0].user, committee.members[1].user
    clerk = committee.clerk.user
    clerk.is_staff = True  # admin access is no reason to play a clip
    clerk.save()
    assert policy.may_play_cited_clip(
        committee.staff.user, speaker_user_id=member.pk, cited_in_readable_brief=never
    )
    assert policy.may_play_cited_clip(
        member, speaker_user_id=member.pk, cited_in_readable_brief=never
    )
    assert not policy.may_play_cited_clip(
        AnonymousUser(), speaker_user_id=member.pk, cited_in_readable_brief=never
    )
    for user in (other, clerk):
        assert policy.may_play_cited_clip(
            user, speaker_user_id=member.pk, cited_in_readable_brief=lambda: True
        )
        assert not policy.may_play_cited_clip(
            user, speaker_user_id=member.pk, cited_in_readable_brief=lambda: False
        )


def test_the_moment_view_asks_the_rulebook_not_its_own_rule():
    view = (ROOT / "meeting" / "briefs" / "views.py").read_text(encoding="utf-8")
    assert "policy.may_play_cited_clip(" in view
    assert "reader_for(request.user, b.document)" not in view  # the old ad-hoc loop
