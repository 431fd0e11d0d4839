"""The vote sheet downloads under the question's name (issue 28): RFC 6266 with an ASCII
stand-in, a PDF shown in the browser, a CSV saved."""

from __future__ import annotations

import pytest

from tests.downloads import download_name
from tests.meeting.voting.test_views import client_for, closed  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_vote_sheet_is_named_by_its_question(room, closed):  # noqa: F811
    vote = closed()
    staff = client_for(room.staff)
    sheet = download_name(staff.get(f"/votes/{vote.pk}/result.csv"))
    assert sheet == ("attachment", f"vote-{vote.pk}-result.csv", f"{vote.question}表决结果.csv")
    pdf = download_name(staff.get(f"/votes/{vote.pk}/result.pdf"))
    assert pdf == ("inline", f"vote-{vote.pk}-result.pdf", f"{vote.question}表决结果.pdf")
