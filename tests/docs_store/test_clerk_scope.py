"""One definition of clerk: the clerk of a sitting (docs/policy.md, "Who is the clerk").

A clerk assigned to one sitting reads that sitting's papers in every state and the
session-wide ones of its session, but not another sitting's drafts or confidential
papers; the session clerk (assigned to no sitting) reads them all. Term-wide work
(preparing sessions, the audit trail, members' totals) is the session clerk's.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core import policy
from core.errors import DomainError
from core.models import Member, Role
from core.roster import session_role, sitting_role, term_role
from docs_store.services.access import reader_for
from meeting.proceedings import access as proceedings_access
from tests.docs_store.conftest import make_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_of_a(committee):
    """A second clerk, assigned to group A's sitting only."""
    user = get_user_model().objects.create_user("clerk-a", password="pw-clerk-a")
    member = Member.objects.create(
        user=user, term=committee.term, full_name="甲组秘书", role=Role.CLERK
    )
    committee.group_a_sitting.clerk = member
    committee.group_a_sitting.save(update_fields=["clerk"])
    return member


def _item(sitting):
    return sitting.agenda_items.order_by("order").first()


def test_a_sittings_clerk_cannot_read_another_sittings_confidential_draft(
    committee, clerk_of_a, upload
):
    [theirs] = upload(
        ("乙组.pdf", make_pdf(1)), item=_item(committee.group_b_sitting), access="confidential"
    )
    [mine] = upload(
        ("甲组.pdf", make_pdf(1)), item=_item(committee.group_a_sitting), access="confidential"
    )
    [shared] = upload(("全会.pdf", make_pdf(1)), access="confidential")
    user = clerk_of_a.user
    with pytest.raises(DomainError) as refused:
        reader_for(user, theirs)
    assert refused.value.code == "not_found"  # as for a guessed id: no draft leaks its title
    assert reader_for(user, mine).is_clerk  # its own sitting's draft, whole
    assert reader_for(user, shared).is_clerk  # a session-wide paper of its session
    # over HTTP: the other sitting's draft and its PDF do not exist for this clerk
    web = Client()
    web.force_login(user)
    assert web.get(f"/docs/d/{theirs.pk}/").status_code == 404
    assert web.get(f"/docs/d/{theirs.pk}/v/1/pdf").status_code == 404
    assert web.get(f"/docs/d/{mine.pk}/v/1/pdf").status_code == 200
    # the session clerk (assigned to no sitting) reads every sitting's drafts
    assert reader_for(committee.clerk.user, theirs).is_clerk


def test_the_roles_behind_it(committee, clerk_of_a):
    user = clerk_of_a.user
    assert sitting_role(user, committee.group_a_sitting) == "clerk"
    assert sitting_role(user, committee.group_b_sitting) is None
    assert sitting_role(user, committee.plenary) is None
    assert session_role(user, committee.session) == "clerk"  # a clerk of one of its sittings
    assert term_role(user, committee.term) is None  # not the session clerk
    assert term_role(committee.clerk.user, committee.term) == "clerk"
    assert not proceedings_access.is_session_clerk(user)
    assert proceedings_access.is_session_clerk(committee.clerk.user)
    assert not proceedings_access.may_read_record(user)  # the term's audit trail
    assert proceedings_access.may_read_record(user, session=committee.session)  # its minutes
    assert policy.may(session_role(committee.staff.user, committee.session), "record.read")


def test_a_sittings_clerk_sees_the_other_sittings_pages_refused(committee, clerk_of_a):
    web = Client()
    web.force_login(clerk_of_a.user)
    assert web.get(f"/console/{committee.group_a_sitting.pk}/").status_code == 200
    assert web.get(f"/console/{committee.group_b_sitting.pk}/").status_code == 403
    assert web.get("/proceedings/").status_code == 403
    assert web.get(f"/floor/members/{committee.members[0].pk}/totals.json").status_code == 403
    index = web.get("/console/").content.decode()
    assert f"/console/{committee.group_a_sitting.pk}/" in index
    assert f"/console/{committee.group_b_sitting.pk}/" not in index
