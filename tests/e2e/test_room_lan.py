"""Into the committee room: the tablet at a LAN address, over HTTPS with the room CA.

The server (``./yiting stack --tls room``: nginx, Daphne, Redis, the job worker) runs in
one network namespace at 10.77.0.1, curl and Chromium in another at 10.77.0.2, joined by
a bridge (harness/netns.py): the browser sees a non-loopback address, as a tablet
on the room's Wi-Fi does, so the secure-context rules apply for real. Chromium trusts the
server certificate by its public key only (``--ignore-certificate-errors-spki-list``),
never by ignoring certificate errors wholesale.

Over HTTPS: curl with the room CA gets the login page, plain HTTP redirects except the
CA's page; in Chromium the page is a secure context, the member logs in, the group
sitting's tablet publishes its fake camera, a speech becomes a clip in the member's file,
the Service Worker controls the tablet and a reload with the link down shows the page
read last. Over plain HTTP at the same address (a mis-set room: a stack without TLS):
the tablet says in Chinese why camera and offline reading cannot work, and the clerk's
console counts the tablet as not secure, without any script error.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy import tls
from harness import netns
from harness.browser import CHROMIUM, CHROMIUM_ARGS, allow_console_error, new_context
from harness.servers import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.media]

SERVER, CLIENT = "10.77.0.1", "10.77.0.2"
HTTPS, HTTP, PLAIN = 8443, 8080, 8000
REDIS = 6390  # inside the server's namespace: no other Redis there
PW = "yiting-demo"

SETUP = """
from core.models import Sitting
from core.roster import sitting_roster
from harness.documents import distributed, numbered_pdf
s = Sitting.objects.filter(kind='group').order_by('pk').first()
m = sitting_roster(s).filter(role='member').order_by('seat').first()
other = sitting_roster(s).exclude(pk=m.pk).order_by('seat').first() or m
doc = distributed(s, numbered_pdf(4), "条例草案")
result = {'sitting': s.pk, 'member': m.pk, 'username': m.user.username,
          'other': other.user.username, 'doc': doc.pk}
"""
CLIP = """
from media.models import Clip
c = Clip.objects.filter(member_id={member}).first()
result = c and {{'clip': str(c.public_id), 'duration': c.duration_s, 'entry': c.floor_entry_id}}
"""


class RoomServer:
    """The server host: runs the launcher and Django code inside its namespace."""

    def __init__(self, lan: netns.Lan, host: netns.Host, data_dir: Path) -> None:
        self.lan, self.host, self.data_dir = lan, host, data_dir
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "deploy.settings",
            "YITING_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
        for key in ("ALLOWED_HOSTS", "REDIS_URL", "YITING_PUBLIC_URL", "CSRF_TRUSTED_ORIGINS"):
            self.env.pop(key, None)
        self.out = data_dir.parent / "launcher.out"
        self.launcher: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> None:
        argv = [sys.executable, "-m", "deploy.launcher", "--tls", "room", "--name", SERVER]
        argv += ["--port", str(HTTPS), "--http-port", str(HTTP), "--workers", "1"]
        argv += ["--data-dir", str(self.data_dir), "--ops-allow", "127.0.0.1"]
        argv += ["--redis-port", str(REDIS)]  # the namespace's own: scripts here reach it
        with open(self.out, "wb") as fh:
            self.launcher = self.lan.popen_in(
                self.host, argv, env=self.env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while "stack ready" not in self.text():
            if self.launcher.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"launcher did not get ready:\n{self.text()[-4000:]}")
            time.sleep(0.3)

    def text(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    def manage(self, *args: str, env: dict | None = None) -> str:
        out = self.lan.run_in(
            self.host,
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=env or self.stack_env(),
            cwd=ROOT,
            timeout=240,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def stack_env(self) -> dict:
        """What the launcher gave its children (so a script here reaches its Redis)."""
        env = {**self.env, **tls.environment([SERVER], HTTPS, self.env)}
        env["REDIS_URL"] = f"redis://127.0.0.1:{REDIS}/0"
        return env

    def python(self, code: str) -> object:
        script = (
            "import django, json, sys\ndjango.setup()\nresult = None\n"
            + code
            + "\nsys.stdout.write('\\n@@RESULT@@' + json.dumps(result, default=str))\n"
        )
        out = self.lan.run_in(
            self.host, [sys.executable, "-c", script], env=self.stack_env(), cwd=ROOT, timeout=120
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return json.loads(out.stdout.rsplit("@@RESULT@@", 1)[1])


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    netns.require()
    tmp = tmp_path_factory.mktemp("room")
    with netns.Lan("10.77.0.0/24") as lan:
        srv = lan.make_host("srv", SERVER)
        tab = lan.make_host("tab", CLIENT)
        server = RoomServer(lan, srv, tmp / "data")
        try:
            server.start()
            server.manage("demo", "--members", "12", "--no-documents")
            info = server.python(SETUP)
            yield {"lan": lan, "srv": srv, "tab": tab, "server": server, "info": info, "tmp": tmp}
        finally:
            if server.launcher is not None:
                lan.stop(server.launcher, timeout=60)


def _curl(room, *args: str) -> subprocess.CompletedProcess:
    return room["lan"].run_in(room["tab"], ["curl", "-sS", "--max-time", "10", *args], timeout=30)


def test_https_with_the_room_ca_and_plain_http_redirects(room):
    ca = str(room["server"].data_dir / "tls" / "ca.pem")
    ok = _curl(
        room,
        "--cacert",
        ca,
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{http_version}",
        f"https://{SERVER}:{HTTPS}/login/",
    )
    assert ok.stdout == "200 2", ok.stderr  # HTTP/2 over TLS, the certificate trusted
    # without the room CA the certificate is not trusted (curl: 60)
    assert _curl(room, "-o", "/dev/null", f"https://{SERVER}:{HTTPS}/login/").returncode == 60
    moved = _curl(
        room,
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{redirect_url}",
        f"http://{SERVER}:{HTTP}/login/",
    )
    assert moved.stdout == f"301 https://{SERVER}:{HTTPS}/login/"
    page = _curl(room, f"http://{SERVER}:{HTTP}/tls/")
    fingerprint = tls.fingerprint(Path(ca))
    assert page.returncode == 0 and fingerprint in page.stdout and "会场根证书" in page.stdout
    pem = _curl(room, f"http://{SERVER}:{HTTP}/tls/ca.pem")
    assert pem.stdout == Path(ca).read_text()
    # the launcher said where the page is and what to compare
    said = room["server"].text()
    assert fingerprint in said and f"http://{SERVER}:{HTTP}/tls/" in said


async def _browser(pw, room, *extra: str):
    exe = room["lan"].wrapper(room["tab"], CHROMIUM, room["tmp"])
    return await pw.chromium.launch(
        executable_path=str(exe), headless=True, args=[*CHROMIUM_ARGS, *extra]
    )


async def _login(browser, base: str, user: str, **kw):
    context = await new_context(browser, **kw)
    page = await context.new_page()
    await page.goto(f"{base}/login/")
    await page.fill("input[name=username]", user)
    await page.fill("input[name=password]", PW)
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return page


async def test_tablet_over_https_records_a_speech_and_reads_offline(room):
    from playwright.async_api import async_playwright

    info, server = room["info"], room["server"]
    spki = tls.spki_sha256(server.data_dir / "tls" / "server.pem")
    base = f"https://{SERVER}:{HTTPS}"
    sid, mid, doc = info["sitting"], info["member"], info["doc"]
    async with async_playwright() as pw:
        browser = await _browser(pw, room, f"--ignore-certificate-errors-spki-list={spki}")
        try:
            tablet = await _login(browser, base, info["username"], width=820, height=1180)
            assert await tablet.evaluate("window.isSecureContext") is True
            assert await tablet.evaluate("location.hostname") == SERVER
            await tablet.goto(f"{base}/tablet/{sid}/")
            await tablet.wait_for_selector("#conn[data-state=live]", timeout=30000)
            # the fake camera is published to the server over WebRTC, across the LAN
            await tablet.wait_for_selector("#rec-state[data-state=live]", timeout=30000)
            assert await tablet.evaluate("window.isSecureContext") is True
            assert await tablet.is_hidden("#insecure-context")

            clerk = await _login(browser, base, "clerk")
            await clerk.goto(f"{base}/console/{sid}/")
            await clerk.wait_for_selector("#conn[data-state=live]", timeout=30000)
            await clerk.wait_for_function(
                "document.getElementById('rec-publishers').textContent.length > 1",
                timeout=30000,
            )
            assert await clerk.is_hidden("#insecure-tablets")
            speech = await clerk.evaluate(
                f"window.yiting.client.send('floor.grant', {{member: {mid}}}, "
                "{idempotent: true}).then((d) => d.speech.id)"
            )
            await tablet.wait_for_selector("#rec-state[data-state=recording]", timeout=30000)
            await asyncio.sleep(3.0)  # the speech itself: three seconds of fake camera
            await clerk.evaluate(
                f"window.yiting.client.send('floor.end', {{speech: {speech}, "
                "how: 'finished'}, {idempotent: true})"
            )
            clip = None
            for _ in range(180):  # bounded: 90 s (finalised by the stack's job worker)
                clip = server.python(CLIP.format(member=mid))
                if clip:
                    break
                await asyncio.sleep(0.5)
            assert clip and clip["entry"] == speech, server.text()[-3000:]
            assert 2.0 <= clip["duration"] <= 6.0, clip

            # the Service Worker: registered under HTTPS at a LAN address, in control
            await tablet.wait_for_function(
                "navigator.serviceWorker.controller !== null", timeout=30000
            )
            await tablet.wait_for_function(
                "caches.open('yiting-html').then((c) => c.keys()).then((k) => k.length === 1)",
                timeout=30000,
            )
            await tablet.click(f'#docs-list button[data-doc="{doc}"]')
            await tablet.wait_for_selector(f'#docs-page[data-loaded="{doc}:1"]', timeout=30000)
            await tablet.click("#docs-next")
            await tablet.wait_for_selector(f'#docs-page[data-loaded="{doc}:2"]', timeout=30000)

            # the tablet's Wi-Fi drops: its link at the bridge goes down; reload
            for text in (
                "ERR_INTERNET_DISCONNECTED",
                "WebSocket connection to",
                "ERR_ADDRESS_UNREACHABLE",
                "ERR_CONNECTION",
                "ERR_NETWORK_CHANGED",
                "ERR_TIMED_OUT",
                f"({base}/",
            ):
                allow_console_error(text)
            room["lan"].link_down(room["tab"])
            try:
                await tablet.context.set_offline(True)
                await tablet.reload(timeout=30000)
                await tablet.wait_for_selector(f'#docs-page[data-loaded="{doc}:2"]', timeout=30000)
                conn = tablet.locator("#conn[data-cached=true]")
                await conn.wait_for(timeout=30000)
                assert "离线" in await conn.inner_text()
            finally:
                await tablet.context.set_offline(False)
                room["lan"].link_up(room["tab"])
        finally:
            await browser.close()


async def test_plain_http_at_a_lan_address_says_why_and_the_console_counts_it(room):
    """A mis-set room: a stack without TLS reached at the LAN address."""
    from playwright.async_api import async_playwright

    info, server, lan = room["info"], room["server"], room["lan"]
    env = {
        **server.env,
        "ALLOWED_HOSTS": SERVER,
        "YITING_PUBLIC_URL": f"http://{SERVER}:{PLAIN}",
        "YITING_INPROCESS_WORKERS": "false",
        "YITING_START_BACKGROUND": "false",
        "DEBUG": "false",
    }
    log = room["tmp"] / "plain.log"
    with open(log, "wb") as fh:
        plain = lan.popen_in(
            room["srv"],
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "serve",
                "--host",
                SERVER,
                "--port",
                str(PLAIN),
            ],
            env=env,
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    base = f"http://{SERVER}:{PLAIN}"
    try:
        for _ in range(120):  # bounded: about 60 s
            probe = _curl(room, "-o", "/dev/null", "-w", "%{http_code}", f"{base}/healthz")
            if probe.stdout == "200":
                break
            assert plain.poll() is None, log.read_text()
            time.sleep(0.5)
        else:
            pytest.fail(f"plain server did not answer:\n{log.read_text()[-2000:]}")
        sid = info["sitting"]
        async with async_playwright() as pw:
            browser = await _browser(pw, room)
            try:
                tablet = await _login(browser, base, info["other"], width=820, height=1180)
                await tablet.goto(f"{base}/tablet/{sid}/")
                await tablet.wait_for_selector("#conn[data-state=live]", timeout=30000)
                assert await tablet.evaluate("window.isSecureContext") is False
                warning = tablet.locator("#insecure-context")
                await warning.wait_for(state="visible", timeout=10000)
                text = await warning.inner_text()
                assert "HTTPS" in text and "摄像头" in text and "离线" in text
                assert "/tls/" in text
                await tablet.wait_for_selector("#rec-state[data-state=insecure]")
                # no Service Worker could be registered, and nothing tried
                assert await tablet.evaluate("'serviceWorker' in navigator") is False

                clerk = await _login(browser, base, "clerk")
                await clerk.goto(f"{base}/console/{sid}/")
                await clerk.wait_for_selector("#conn[data-state=live]", timeout=30000)
                count = clerk.locator("#insecure-tablets")
                await count.wait_for(state="visible", timeout=20000)
                assert await count.get_attribute("data-count") == "1"
                assert "普通 HTTP" in await count.inner_text()
            finally:
                await browser.close()
    finally:
        lan.stop(plain)
