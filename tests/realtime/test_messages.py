"""Every error code has a sentence for people, in Chinese on the zh-hans interface."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.errors import DomainError
from realtime.protocol import ERROR_CODES
from realtime.protocol.messages import CJK, MESSAGES


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_code_has_a_chinese_message(code):
    assert code in MESSAGES, (
        f"add a people's sentence for {code!r} to realtime/protocol/messages.py"
    )
    with translation.override("zh-hans"):
        assert CJK.search(str(MESSAGES[code])), f"translate {str(MESSAGES[code])!r}"


def test_a_service_refusal_reads_chinese_and_keeps_its_detail():
    exc = DomainError("no_such_page", "Page 9 does not exist; it has 3.")
    with translation.override("zh-hans"):
        out = exc.as_dict()
    assert (
        out["message"] == "页码超出文件范围。"
        and out["detail"] == "Page 9 does not exist; it has 3."
    )
    with translation.override("en"):
        assert exc.as_dict() == {
            "code": "no_such_page",
            "message": "Page 9 does not exist; it has 3.",
        }


def test_an_already_chinese_message_is_kept():
    with translation.override("zh-hans"):
        out = DomainError("invalid", "“item”无效").as_dict()
    assert out == {"code": "invalid", "message": "“item”无效"}
