"""media's services own their events through the domain API (``core.events``).

They say what happened and to whom (the sitting, a role, a login); channel-layer group
names and the socket's context class are the delivery's (``realtime``). Only the
transport-level modules (peers, runtime, recovery: the process id and presence rows)
may import ``realtime``.
"""

from __future__ import annotations

from pathlib import Path

from tests.meeting.test_import_graph import ROOT, _imported_modules

TRANSPORT = {"media/peers.py", "media/runtime.py", "media/recovery.py"}


def test_media_services_import_nothing_from_realtime():
    offenders = []
    for path in sorted((ROOT / "media").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if rel in TRANSPORT or "/migrations/" in rel:
            continue
        for module in _imported_modules(path):
            if module == "realtime" or module.startswith("realtime."):
                offenders.append(f"{rel}: {module}")
    assert offenders == []


def test_the_transport_exceptions_still_exist():
    for rel in TRANSPORT:  # a stale exception would let a new import pass unseen
        assert (Path(ROOT) / rel).exists(), rel
