"""Services of 会务通知 and 呼叫服务: each one transaction, announced after the commit."""

from meeting.notices.services.calls import call, done, take, withdraw
from meeting.notices.services.notices import dismiss_notice, send_notice
from meeting.notices.services.state import desk, inbox, view

__all__ = [
    "call",
    "desk",
    "dismiss_notice",
    "done",
    "inbox",
    "send_notice",
    "take",
    "view",
    "withdraw",
]
