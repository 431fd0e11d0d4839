"""The protocol and its handlers are installed from one list at start, and fail loudly."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from realtime import registration
from realtime.handlers import HANDLERS, OWN_TRANSACTION, handles
from realtime.protocol import ERROR_CODES, REGISTRY, CommandData, command, error_code, event
from realtime.protocol.base import Registry

ROOT = Path(__file__).resolve().parents[2]


def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    vars(module).update(attrs)
    return module


def _ping_protocol() -> types.ModuleType:
    @command("ping", example={})
    class Ping(CommandData):
        """A command with a rule in core/policy.py."""

    Ping.__module__ = "fake.protocol"
    return _module(
        "fake.protocol",
        Ping=Ping,
        PONG=event("fake.pong", "A pong.", {}),
        ODD=error_code("fake_odd", "Something odd."),
        ERRORS={"fake_even": "Something even."},
    )


def _tables() -> dict:
    return {"registry": Registry(), "errors": {}, "table": {}, "own_transaction": set()}


def test_install_registers_what_the_listed_modules_declare():
    @handles("ping", own_transaction=True)
    def handle_ping(ctx, cmd):
        return {}

    tables = _tables()
    registration.install([_ping_protocol()], [_module("fake.handlers", h=handle_ping)], **tables)
    assert set(tables["registry"].commands) == {"ping"}
    assert set(tables["registry"].events) == {"fake.pong"}
    assert tables["errors"] == {"fake_odd": "Something odd.", "fake_even": "Something even."}
    assert tables["table"] == {"ping": handle_ping}
    assert tables["own_transaction"] == {"ping"}


def test_a_command_without_a_handler_stops_the_start():
    with pytest.raises(ImproperlyConfigured, match=r"commands without a handler: \['ping'\]"):
        registration.install([_ping_protocol()], [_module("fake.handlers")], **_tables())


def test_a_handler_without_a_command_schema_stops_the_start():
    @handles("nobody.declared")
    def handle_nothing(ctx, cmd):
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"does not declare: \['nobody.declared'\]"):
        registration.install([], [_module("fake.handlers", h=handle_nothing)], **_tables())


def test_two_handlers_or_two_meanings_stop_the_start():
    def one(ctx, cmd):
        return {}

    def two(ctx, cmd):
        return {}

    first, second = handles("ping")(one), handles("ping")(two)
    handlers = [_module("fake.a", h=first), _module("fake.b", h=second)]
    with pytest.raises(ImproperlyConfigured, match="two handlers for 'ping'"):
        registration.install([_ping_protocol()], handlers, **_tables())
    clash = _module("fake.clash", ERRORS={"fake_odd": "Something else."})
    with pytest.raises(ImproperlyConfigured, match="declared twice with different meanings"):
        registration.install([_ping_protocol(), clash], [_module("h", h=first)], **_tables())


def test_declaring_registers_nothing():
    before = (dict(REGISTRY.commands), dict(REGISTRY.events), dict(ERROR_CODES), dict(HANDLERS))
    _ping_protocol()
    handles("ping")(lambda ctx, cmd: {})
    after = (dict(REGISTRY.commands), dict(REGISTRY.events), dict(ERROR_CODES), dict(HANDLERS))
    assert after == before


def test_the_process_tables_are_installed_at_start_and_again_is_a_no_op():
    registration.require_installed()  # RealtimeConfig.ready() ran
    assert set(REGISTRY.commands) == set(HANDLERS)
    assert "media.publish" in OWN_TRANSACTION and "sync" in OWN_TRANSACTION
    before = (dict(REGISTRY.commands), dict(ERROR_CODES), dict(HANDLERS))
    registration.install()
    assert (dict(REGISTRY.commands), dict(ERROR_CODES), dict(HANDLERS)) == before


def _declares(path: Path, decorator: str) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == decorator:
            return True
    return False


@pytest.mark.parametrize(
    ("folder", "decorator", "listed"),
    [
        ("protocol", "command", registration.protocol_modules),
        ("handlers", "handles", registration.handler_modules),
    ],
)
def test_every_declaring_module_is_in_the_one_list(folder, decorator, listed):
    declaring = {
        f"realtime.{folder}.{p.stem}"
        for p in (ROOT / "realtime" / folder).glob("*.py")
        if p.stem != "__init__" and _declares(p, decorator)
    }
    assert declaring <= {m.__name__ for m in listed()}
