"""The LAN harness itself (harness/netns.py): hosts reach each other at their
addresses and nothing else, a link can drop and come back, and nothing is left behind."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness import netns

pytestmark = [pytest.mark.e2e]


def _get(lan, host, url: str) -> subprocess.CompletedProcess:
    return lan.run_in(
        host,
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", url],
        timeout=20,
    )


def test_two_hosts_on_a_bridge_and_a_dropped_link(tmp_path):
    netns.require()
    (tmp_path / "index.html").write_text("hello")
    with netns.Lan("10.77.9.0/24") as lan:
        srv = lan.make_host("srv", "10.77.9.1")
        tab = lan.make_host("tab", "10.77.9.2")
        server = lan.popen_in(
            srv,
            [sys.executable, "-m", "http.server", "8000", "--bind", "10.77.9.1"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):  # bounded: about 10 s
            if _get(lan, tab, "http://10.77.9.1:8000/").stdout == "200":
                break
        else:
            pytest.fail("the server never answered across the bridge")
        # the address is the namespace's own: the machine's loopback does not have it
        assert (
            lan.run_in(tab, ["ip", "-4", "-o", "addr", "show", "eth0"]).stdout.count("10.77.9.2/24")
            == 1
        )
        lan.link_down(tab)
        assert _get(lan, tab, "http://10.77.9.1:8000/").stdout != "200"
        lan.link_up(tab)
        for _ in range(50):  # the carrier comes back
            if _get(lan, tab, "http://10.77.9.1:8000/").stdout == "200":
                break
        else:
            pytest.fail("the link did not come back")
        names = [h.netns for h in lan.hosts.values()] + [lan.switch]
    assert server.poll() is not None  # ended by close()
    left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert not [n for n in names if n in left]
