"""The domain does not depend on its delivery: ``meeting`` imports nothing from ``realtime``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):  # function bodies too
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


# The domain packages tell the room through core.events; realtime only delivers.
# (media joins this list when its services move to core.events: issue 18.)
DOMAIN_PACKAGES = ["meeting", "docs_store", "jobs"]  # media: tests/media/services/test_imports.py


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_package_imports_nothing_from_realtime(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module in _imported_modules(path):
            if module == "realtime" or module.startswith("realtime."):
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_events_without_a_delivery_fail_loudly(monkeypatch):
    from core import events

    monkeypatch.setattr(events, "_delivery", None)
    with pytest.raises(RuntimeError, match="no event delivery registered"):
        events.emit(1, "agenda.current", {})
    with pytest.raises(RuntimeError, match="no event delivery registered"):
        events.notify(events.sitting(1), "presence.changed", {}, 1)


def test_the_realtime_app_registers_the_delivery_and_maps_audiences():
    from core import events
    from realtime import events as delivery

    assert events._delivery is delivery.DELIVERY  # RealtimeConfig.ready()
    assert delivery.group_for(events.sitting(3)) == delivery.sitting_group(3)
    assert delivery.group_for(events.role(3, "clerk")) == delivery.role_group(3, "clerk")
    assert delivery.group_for(events.user(9)) == delivery.user_group(9)
    assert [delivery.group_for(a) for a in events.live(3)] == [
        delivery.role_group(3, "chair"),
        delivery.role_group(3, "clerk"),
    ]
    with pytest.raises(RuntimeError, match="second event delivery"):
        events.register(object())


def test_every_command_has_a_handler_registered_at_start():
    from realtime.handlers import HANDLERS
    from realtime.protocol import REGISTRY

    assert set(REGISTRY.commands) == set(HANDLERS)  # checked in RealtimeConfig.ready()


def test_notify_reaches_each_audience_once_and_refuses_group_names(monkeypatch):
    from core import events

    sent = []

    class Recorder:
        def notify(self, audience, type_, payload, sitting_id):
            sent.append(audience)

    monkeypatch.setattr(events, "_delivery", Recorder())
    events.notify(events.roles(4, ["clerk", "display", "clerk"]), "vote.progress", {}, 4)
    assert sent == [events.role(4, "clerk"), events.role(4, "display")]
    sent.clear()
    events.notify(events.sitting(4), "media.clip_progress", {}, 4)
    assert sent == [events.sitting(4)]
    with pytest.raises(TypeError, match="not an audience"):
        events.notify("sitting.4.clerk", "documents.progress", {}, 4)  # a group name
