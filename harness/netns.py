"""A real LAN for tests: hosts in network namespaces on one bridge (DESIGN.md rule 7).

Browsers treat ``127.0.0.1`` as a secure context, so a test on loopback cannot see what
a tablet sees at ``http://10.x.x.x/``. Here every host is a network namespace with one
interface ``eth0`` (a veth pair) plugged into a bridge that lives in a namespace of its
own (the "switch"), so nothing is added to the machine's own network and two runs never
see each other::

    with Lan() as lan:                       # or the ``lan`` fixture of a test module
        srv = lan.make_host("srv", "10.77.0.1")
        tab = lan.make_host("tab", "10.77.0.2")
        lan.popen_in(srv, ["python", "-m", "http.server", "8000"])
        lan.run_in(tab, ["curl", "http://10.77.0.1:8000/"])
        lan.link_down(tab)                   # the tablet's Wi-Fi drops
        lan.link_up(tab)

More hosts join the same bridge (``data``, ``app1``, ``app2``, ``front``, ``room``: a
multi-machine stack). Names are unique per run (``yt<pid>r<random>-<host>``), every
process started with ``popen_in`` is ended and every namespace deleted by ``close()``
(also on an exception, through ``with``), and namespaces left by a run that died (its
pid is gone) are removed by the next one. Needs root and ``ip`` (iproute2); ``require()``
skips a test when namespaces cannot be made, and **fails** it when ``CI=true``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

IP = shutil.which("ip") or "/usr/sbin/ip"
PREFIX = "yt"
_NAME = re.compile(rf"^{PREFIX}(\d+)r[0-9a-f]+-")


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([IP, *args], capture_output=True, text=True, timeout=30, check=check)


@dataclass
class Host:
    """One machine of the LAN: a namespace, its address, the processes started in it."""

    name: str
    netns: str
    addr: str
    port: str  # the bridge's side of its cable (in the switch namespace)
    procs: list[subprocess.Popen] = field(default_factory=list)

    def __str__(self) -> str:
        return self.netns


def unavailable() -> str | None:
    """Why namespaces cannot be made here (``None`` when they can)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not Path(IP).exists():
        return "iproute2's ip is missing"
    probe = f"{PREFIX}{os.getpid()}r{secrets.token_hex(3)}-probe"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode:
        return f"ip netns add failed: {made.stderr.strip()}"
    try:
        bridge = _ip("-n", probe, "link", "add", "br0", "type", "bridge", check=False)
        if bridge.returncode:
            return f"no bridge in a namespace: {bridge.stderr.strip()}"
        veth = _ip(
            "-n", probe, "link", "add", "a0", "type", "veth", "peer", "name", "b0", check=False
        )
        if veth.returncode:
            return f"no veth pair in a namespace: {veth.stderr.strip()}"
    finally:
        _ip("netns", "del", probe, check=False)
    return None


def require() -> None:
    """Skip the calling test when namespaces cannot be made; fail it with ``CI=true``."""
    reason = unavailable()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the LAN harness cannot run: {reason}", pytrace=False)
    pytest.skip(f"no network namespaces here: {reason}")


def _pids_in(netns: str) -> list[int]:
    out = _ip("netns", "pids", netns, check=False).stdout.split()
    return [int(p) for p in out if p.isdigit()]


def _kill_all_in(netns: str, timeout: float = 10.0) -> None:
    """End every process still in ``netns`` (SIGTERM, then SIGKILL); bounded."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = _pids_in(netns)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout / 2
        while _pids_in(netns) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _pids_in(netns):
            return


def remove_leftovers() -> list[str]:
    """Delete namespaces of this harness whose run is gone (its pid no longer exists)."""
    removed = []
    for line in _ip("netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        m = _NAME.match(name)
        if not m or Path(f"/proc/{m[1]}").exists():
            continue
        _kill_all_in(name)
        if _ip("netns", "del", name, check=False).returncode == 0:
            removed.append(name)
    return removed


class Lan:
    """A bridge and the hosts on it; ``close()`` (or leaving ``with``) removes everything."""

    def __init__(self, subnet: str = "10.77.0.0/24") -> None:
        self.net = ipaddress.ip_network(subnet)
        self.run_id = f"{PREFIX}{os.getpid()}r{secrets.token_hex(2)}"
        self.switch = f"{self.run_id}-sw"
        self.hosts: dict[str, Host] = {}
        self._closed = False
        remove_leftovers()
        _ip("netns", "add", self.switch)
        try:
            _ip("-n", self.switch, "link", "set", "lo", "up")
            _ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
            _ip("-n", self.switch, "link", "set", "br0", "up")
        except Exception:
            self.close()
            raise

    def __enter__(self) -> Lan:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- hosts --------------------------------------------------------------------------
    def make_host(self, name: str, addr: str) -> Host:
        """A namespace with ``lo`` and ``eth0`` at ``addr`` on the bridge, link up."""
        if name in self.hosts:
            raise ValueError(f"host {name} exists")
        if ipaddress.ip_address(addr) not in self.net:
            raise ValueError(f"{addr} is not in {self.net}")
        host = Host(name, f"{self.run_id}-{name}", addr, f"p{len(self.hosts)}-{name}"[:15])
        self.hosts[name] = host
        _ip("netns", "add", host.netns)
        # both ends are made in the switch's namespace, then eth0 moves to the host's:
        # interface names are per namespace, so parallel runs never collide
        _ip("-n", self.switch, "link", "add", host.port, "type", "veth", "peer", "name", "eth0")
        _ip("-n", self.switch, "link", "set", "eth0", "netns", host.netns)
        _ip("-n", self.switch, "link", "set", host.port, "master", "br0", "up")
        _ip("-n", host.netns, "link", "set", "lo", "up")
        _ip("-n", host.netns, "addr", "add", f"{addr}/{self.net.prefixlen}", "dev", "eth0")
        _ip("-n", host.netns, "link", "set", "eth0", "up")
        return host

    def _host(self, host: Host | str) -> Host:
        return host if isinstance(host, Host) else self.hosts[host]

    def argv_in(self, host: Host | str, argv: list[str]) -> list[str]:
        """``argv`` as run inside ``host``'s namespace."""
        return [IP, "netns", "exec", self._host(host).netns, *argv]

    def run_in(
        self, host: Host | str, argv: list[str], timeout: float = 60, **kw
    ) -> subprocess.CompletedProcess:
        """Run ``argv`` in ``host`` to its end (bounded by ``timeout``); output captured."""
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run(self.argv_in(host, argv), timeout=timeout, **kw)

    def popen_in(self, host: Host | str, argv: list[str], **kw) -> subprocess.Popen:
        """Start ``argv`` in ``host`` in its own session; ``close()`` ends it."""
        h = self._host(host)
        kw.setdefault("start_new_session", True)
        proc = subprocess.Popen(self.argv_in(h, argv), **kw)
        h.procs.append(proc)
        return proc

    def wrapper(self, host: Host | str, binary: str, folder: Path) -> Path:
        """An executable that runs ``binary`` inside ``host`` (for tools that take a
        program path, such as Playwright's ``executable_path`` for Chromium)."""
        h = self._host(host)
        path = Path(folder) / f"{h.name}-{Path(binary).name}"
        path.write_text(f'#!/bin/sh\nexec {IP} netns exec {h.netns} {binary} "$@"\n')
        path.chmod(0o755)
        return path

    # -- faults -------------------------------------------------------------------------
    def link_down(self, host: Host | str) -> None:
        """Unplug ``host``'s cable at the bridge (its Wi-Fi drops; the host sees no carrier)."""
        _ip("-n", self.switch, "link", "set", self._host(host).port, "down")

    def link_up(self, host: Host | str) -> None:
        _ip("-n", self.switch, "link", "set", self._host(host).port, "up")

    # -- the end ------------------------------------------------------------------------
    def stop(self, proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """End one process started with ``popen_in`` (its whole session), bounded."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def close(self) -> None:
        """End every process of every host, then delete the namespaces. Idempotent."""
        if self._closed:
            return
        self._closed = True
        for host in self.hosts.values():
            for proc in host.procs:
                with contextlib.suppress(Exception):
                    self.stop(proc)
            _kill_all_in(host.netns)  # what those processes left behind (daemons, children)
            _ip("netns", "del", host.netns, check=False)
        _kill_all_in(self.switch)
        _ip("netns", "del", self.switch, check=False)
