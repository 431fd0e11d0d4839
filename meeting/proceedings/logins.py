"""Login lock-outs in the audit trail (操作日志).

django-axes counts failed logins per user name (``deploy/settings.py``: ``AXES_*``);
when a name reaches the limit, and on every attempt refused during its cool-down, axes
sends ``user_locked_out``. Each becomes an audit row, so the clerk's trail shows who
was guessing at which account and when, next to the actions of the sitting.
"""

from __future__ import annotations

from django.dispatch import receiver

from core.models import AuditEntry

ACTION = "login.locked_out"


def record_lockout(sender, *, request=None, username: str | None = None, ip_address=None, **kw):
    """Write one audit row for a locked-out login attempt (no session, no sitting)."""
    name = (username or "")[:150]
    AuditEntry.objects.create(
        user=None,
        actor=name or "—",
        role="login",
        action=ACTION,
        source=AuditEntry.Source.WEB,
        summary=f"{ACTION} user={name} from={ip_address or '—'}"[:300],
        data={"username": name, "ip_address": ip_address},
    )


def connect() -> None:
    """Connect the receiver (``ProceedingsConfig.ready``); idempotent by dispatch_uid."""
    from axes.signals import user_locked_out

    receiver(user_locked_out, dispatch_uid="yiting-audit-lockout")(record_lockout)
