from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """会务通知 (notices to tablets) and 呼叫服务 (a member's call for service)."""

    name = "meeting.notices"
    label = "notices"
    verbose_name = "Notices and service calls"
