"""Accounts: the clerk's password reset and the forced change at first login (账号与密码).

A member who forgot a password gets a one-time code from the clerk of their term
(``reset_password``): random, eight characters a person reads aloud without confusing
0/O or 1/l/I, shown once on the page that made it and stored only as Django's password
hash. A login whose password someone else chose — the code, or the initial password of an
imported roster (``require_change``) — has a ``PasswordChangeRequired`` row: its first
page spends that password (``spend_given_password``: after it, the code logs no one in)
and every page sends it to ``password_change`` until the login has set its own
(``password_changed``). The reset is in the audit trail without the code.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, policy
from core.errors import DomainError
from core.models import Member, Session
from core.roster import term_role
from meeting.proceedings.models import PasswordChangeRequired

# Letters and digits a person cannot misread: no 0/O, 1/l/I (and upper case only, so the
# code reads the same aloud, on paper and on a tablet's keyboard).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
ACTION = "account.password_reset"


def one_time_code() -> str:
    """Eight characters from ``CODE_ALPHABET`` by the operating system's randomness."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def require_change(user: AbstractBaseUser, reason: str) -> None:
    """From now on ``user`` must choose its own password (a new given one, not spent yet)."""
    PasswordChangeRequired.objects.update_or_create(
        user=user, defaults={"reason": reason, "since": timezone.now(), "spent_at": None}
    )


def must_change(user) -> bool:
    """Whether this login must choose its own password before any other page."""
    if not getattr(user, "is_authenticated", False):
        return False
    return PasswordChangeRequired.objects.filter(user_id=user.pk).exists()


@transaction.atomic
def spend_given_password(user: AbstractBaseUser) -> bool:
    """Make the given password (code or initial) unusable once it has logged the user in.

    Returns True when it was spent now: the caller keeps the login's session valid
    (``update_session_auth_hash``), as the session hash follows the password.
    """
    row = PasswordChangeRequired.objects.select_for_update().filter(user_id=user.pk).first()
    if row is None or row.spent_at is not None:
        return False
    user.set_unusable_password()
    user.save(update_fields=["password"])
    row.spent_at = timezone.now()
    row.save(update_fields=["spent_at"])
    return True


def password_changed(user: AbstractBaseUser) -> None:
    """The login set its own password (``password_change``): nothing is required any more."""
    PasswordChangeRequired.objects.filter(user_id=user.pk).delete()


@transaction.atomic
def reset_password(member: Member, *, by, session: Session | None = None) -> str:
    """Give ``member``'s login a one-time code; return it (the only time it exists in clear).

    Asked of the rulebook (``accounts.reset_password``) with ``by``'s role in the member's
    term. The member's failed-login count (django-axes) is cleared with it: a forgotten
    password is usually found after a lock-out. The audit row names the member, not the code.
    """
    if session is not None and session.term_id != member.term_id:
        raise DomainError("wrong_term", f"Member {member.pk} is not of this session's term.")
    user = member.user
    policy.check_reset_password(
        term_role(by, member.term),
        own=user.pk == getattr(by, "pk", None),
        target_superuser=user.is_superuser,
    )
    code = one_time_code()
    user.set_password(code)
    user.save(update_fields=["password"])
    require_change(user, PasswordChangeRequired.Reason.RESET)
    from axes.utils import reset as reset_failed_logins

    reset_failed_logins(username=user.get_username())
    audit.record(
        by,
        "account.password_reset",  # ACTION, as a literal: the audit words test finds it
        session=session,
        summary=_(
            "Password of %(name)s (login %(login)s) reset to a one-time code; "
            "they choose their own at the next login."
        )
        % {"name": member.full_name, "login": user.get_username()},
        data={"member": member.pk, "username": user.get_username()},
    )
    return code
