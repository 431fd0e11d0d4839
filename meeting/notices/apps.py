from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """会务通知 (notices to tablets) and 呼叫服务 (a member's call for service)."""

    name = "meeting.notices"
    label = "notices"
    verbose_name = _("Notices and service calls")
