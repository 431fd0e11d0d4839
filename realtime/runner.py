"""Running one decoded command: role check, idempotency, handler, error mapping.

Sync code, run in a database thread by the consumer. The handler and the idempotency
receipt commit in one transaction, so a ballot and the record that it was answered can
never part: a resend after a dropped connection gets the first answer back.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from core import policy
from core.audit import command_entry, record_command
from core.errors import DomainError
from core.roster import standing_of
from realtime.context import Context
from realtime.events import carrying
from realtime.handlers import HANDLERS, OWN_TRANSACTION
from realtime.models import CommandReceipt
from realtime.protocol import Decoded

log = logging.getLogger(__name__)


def _error(code: str, message: str, **details) -> dict:
    return {"ok": False, "error": DomainError(code, message, **details).as_dict()}


@functools.cache
def _receipt_sql() -> tuple[str, str]:
    """Plain SQL for the receipt's read and write: every ballot of a storm pays both, and
    the ORM's building of them was a quarter of the workers' CPU (py-spy, issue 27)."""
    q = connection.ops.quote_name
    table, key = q(CommandReceipt._meta.db_table), q("key")
    read = f"SELECT command, response FROM {table} WHERE user_id = %s AND {key} = %s"
    write = (
        f"INSERT INTO {table} (user_id, {key}, command, response, created_at)"
        " VALUES (%s, %s, %s, %s, %s)"
    )
    return read, write


def _receipt(ctx: Context, cmd: Decoded) -> dict | None:
    with connection.cursor() as cur:
        cur.execute(_receipt_sql()[0], [ctx.user_id, cmd.key])
        row = cur.fetchone()
    if row is None:
        return None
    command, response = row
    if command != cmd.spec.type:
        return _error("key_reused", f"Key already used for '{command}'.")
    if isinstance(response, str):  # stored as JSON text (jsonb read as text, SQLite)
        response = json.loads(response)
    return {**response, "repeat": True}


def _keep_receipt(ctx: Context, cmd: Decoded, result: dict) -> None:
    """The first answer, for a resend with the same key (unique per login and key)."""
    field = CommandReceipt._meta.get_field("response")
    response = field.get_db_prep_value(result, connection, prepared=False)
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cur:
        cur.execute(_receipt_sql()[1], [ctx.user_id, cmd.key, cmd.spec.type, response, created])


@contextmanager
def _one_transaction() -> Iterator[None]:
    """The command's transaction, with no savepoints inside it.

    The services a handler calls open their own ``atomic`` blocks, which nested here
    would each cost a SAVEPOINT and a RELEASE: two database round trips per command
    (of a flip's eleven then; six since issue 27). Nothing in a command recovers from
    an error inside it — any exception leaves this block and the whole command rolls
    back — so inside it the connection takes no savepoints (Django then marks the
    transaction for rollback on an inner error, which is what happens anyway). A race a service's own
    ``get_or_create`` would have retried is answered ``conflict`` instead.
    """
    with transaction.atomic():
        # Django asks the connection's ``_savepoint_allowed()`` before each savepoint (on
        # every backend); shadowed on this connection object alone (one per thread) for
        # the block, the class's method again after. Pinned by tests/realtime/
        # test_query_budget.py on SQLite and PostgreSQL, so a Django change shows there.
        conn = transaction.get_connection()
        conn._savepoint_allowed = _no_savepoints
        try:
            yield
        finally:
            del conn._savepoint_allowed
        if conn.needs_rollback:
            # An inner block failed and its error was caught: without a savepoint the
            # whole transaction is lost, so the command must not answer ok.
            raise SwallowedError("an error inside the command was caught; it was rolled back")


class SwallowedError(RuntimeError):
    """A command's code caught an error from a nested transaction block (a defect)."""


def _no_savepoints() -> bool:
    return False


# A ``sync`` sent this soon after the socket's connect is answered with the connect's own
# lookup of the login: in a reconnect storm every tablet connects and syncs at once, and
# looking the login up twice within two seconds doubled the storm's queries. Only ``sync``
# (a read that grants no power): every other command looks the login up again.
FRESH_FOR_SYNC_S = 2.0


def _fresh(ctx: Context, cmd: Decoded) -> bool:
    return (
        cmd.spec.type == "sync"
        and ctx.standing is not None
        and ctx.standing_at is not None
        and time.monotonic() - ctx.standing_at < FRESH_FOR_SYNC_S
    )


def run_command(ctx: Context, cmd: Decoded) -> dict:
    """Return ``{"ok": True, "data": …}`` or ``{"ok": False, "error": {...}}``.

    Authority is resolved per command, from the database (two queries; none for a
    ``sync`` within ``FRESH_FOR_SYNC_S`` of the connect's own lookup): a chair
    replaced or a member taken off the roster since the socket connected gets
    ``role_changed`` and the consumer closes the socket, which reconnects with the role
    the login has now (or is refused). Who may send what is ``core.policy``.
    """
    try:
        if not _fresh(ctx, cmd):
            found = standing_of(ctx.user_id, ctx.sitting_id)
            ctx = dataclasses.replace(ctx, standing=found, standing_at=time.monotonic())
        role_now = ctx.standing.role
    except (OperationalError, InterfaceError) as exc:  # the database is away: no answer yet
        log.warning("database unavailable for %s (authority): %s", cmd.spec.type, exc)
        return _error("try_again", "The database is unavailable; nothing was changed. Retry.")
    if role_now != ctx.role:
        return _error(
            "role_changed",
            "Your role in this sitting has changed; reconnect.",
            was=ctx.role,
            now=role_now,
        )
    if not policy.may(ctx, cmd.spec.type):
        return _error(
            "forbidden",
            f"The {ctx.role} role may not send '{cmd.spec.type}'.",
            allowed=sorted(policy.roles_for(cmd.spec.type)),
        )
    handler = HANDLERS.get(cmd.spec.type)
    if handler is None:
        return _error("unknown_type", f"'{cmd.spec.type}' has no handler on this server.")
    try:
        if cmd.spec.type in OWN_TRANSACTION:
            # Reads that need their own transaction (sync) and media.publish, which
            # negotiates a peer between two short transactions; their answers are not
            # replayable (a snapshot, an SDP answer), so no receipt is kept.
            result = {"ok": True, "data": handler(ctx, cmd.data)}
            with transaction.atomic():
                record_command(ctx, cmd.spec.type, cmd.data.model_dump(mode="json"))
            return result
        if cmd.key:
            earlier = _receipt(ctx, cmd)
            if earlier is not None:
                return earlier
        audit = functools.partial(
            command_entry, ctx, cmd.spec.type, cmd.data.model_dump(mode="json")
        )
        with _one_transaction():
            with carrying(audit):  # written with the command's first event, or after it
                result = {"ok": True, "data": handler(ctx, cmd.data)}
            if cmd.key:
                _keep_receipt(ctx, cmd, result)
        return result
    except DomainError as exc:
        # A resend that raced its own first attempt (same key, another socket) waited on
        # the same lock and now sees that attempt's effect: answer with the first answer.
        if cmd.key:
            earlier = _receipt(ctx, cmd)
            if earlier is not None:
                return earlier
        return {"ok": False, "error": exc.as_dict()}
    except TransactionManagementError:
        # A race a service's get_or_create would have retried with a savepoint: the
        # transaction is rolled back, nothing was changed; the same command again works.
        # warning, not info: a command that catches an inner error ends here too (a defect)
        log.warning("conflict on %s (no savepoint to retry in)", cmd.spec.type, exc_info=True)
        return _error("conflict", "Someone else changed this at the same moment; try again.")
    except IntegrityError:
        # The same key raced in on another socket, or a unique rule caught a double.
        if cmd.key:
            earlier = _receipt(ctx, cmd)
            if earlier is not None:
                return earlier
        log.info("conflict on %s", cmd.spec.type, exc_info=True)
        return _error("conflict", "Someone else changed this at the same moment; try again.")
    except (OperationalError, InterfaceError) as exc:
        log.warning("database unavailable for %s: %s", cmd.spec.type, exc)
        return _error("try_again", "The database is unavailable; nothing was changed. Retry.")
    except DatabaseError:
        log.exception("database error in %s", cmd.spec.type)
        return _error("try_again", "The database refused the command; nothing was changed.")
    except Exception:
        log.exception("handler %s failed", cmd.spec.type)
        return _error("internal_error", "The server failed; nothing was changed.")
