"""Production refusals: the development key, ALLOWED_HOSTS=*, insecure cookies, /metrics."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from core import hardening
from deploy import peer
from deploy.launcher import refuse_unsafe_stack

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "deploy.settings", "YITING_DATA_DIR": str(tmp_path)})
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], env=clean, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_a_production_process_with_the_development_key_refuses_to_start(tmp_path):
    out = _run(["-c", "import deploy.asgi"], tmp_path)
    assert out.returncode != 0
    assert "ImproperlyConfigured" in out.stderr and "SECRET_KEY" in out.stderr
    # the same process with a key of its own, or in DEBUG, starts
    ok = _run(["-c", "import deploy.asgi"], tmp_path, SECRET_KEY="a-long-random-value")
    assert ok.returncode == 0, ok.stderr
    assert _run(["-c", "import deploy.asgi"], tmp_path, DEBUG="true").returncode == 0


def test_the_worker_refuses_the_development_key(tmp_path):
    out = _run(["manage.py", "worker", "--once"], tmp_path)
    assert out.returncode != 0 and "SECRET_KEY" in out.stderr


def test_stack_refuses_the_development_key_naming_it(tmp_path):
    out = _run(["-m", "deploy.launcher", "--bind", "127.0.0.1"], tmp_path)
    assert out.returncode != 0
    assert "yiting stack refuses to start" in out.stderr and "SECRET_KEY" in out.stderr
    assert not (tmp_path / "run" / "logs").exists() or not any(
        (tmp_path / "run" / "logs").iterdir()
    )


def test_stack_beyond_loopback_refuses_any_host_and_insecure_cookies(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-long-random-value"
    settings.PUBLIC_URL = "https://yiting.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    refuse_unsafe_stack("127.0.0.1")  # loopback: a rehearsal on this machine
    refuse_unsafe_stack("[::1]")
    with pytest.raises(SystemExit) as exc:
        refuse_unsafe_stack("0.0.0.0")
    text = str(exc.value)
    assert "ALLOWED_HOSTS" in text and "YITING_SECURE_COOKIES" in text
    settings.ALLOWED_HOSTS = ["yiting.example.org"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    refuse_unsafe_stack("0.0.0.0")
    refuse_unsafe_stack("10.0.0.5")
    settings.SECRET_KEY = hardening.DEV_SECRET_KEY
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        refuse_unsafe_stack("127.0.0.1")


LOOPBACK_URLS = ("http://127.0.0.1:8000", "http://localhost", "https://[::1]", "", "http://0.0.0.0")


def test_production_refuses_a_loopback_public_url_when_serving_beyond_loopback(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-long-random-value"
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
    settings.PUBLIC_URL = "http://127.0.0.1:8000"  # the default, when the variable is unset
    assert hardening.startup_problems(settings) == []  # a rehearsal on this machine
    for hosts in (["yiting.example.gov.cn"], ["127.0.0.1", "10.0.0.5"], ["*"]):
        settings.ALLOWED_HOSTS = hosts
        for url in LOOPBACK_URLS:
            settings.PUBLIC_URL = url
            [problem] = hardening.startup_problems(settings)
            assert problem.startswith("YITING_PUBLIC_URL is unset or this machine's loopback")
            assert hosts[-1] in problem
        settings.PUBLIC_URL = "https://yiting.example.gov.cn"
        assert hardening.startup_problems(settings) == []
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    settings.DEBUG = True  # ./yiting run: DEBUG on loopback starts as before
    assert hardening.startup_problems(settings) == []


def test_a_process_serving_a_name_with_a_loopback_public_url_does_not_start(tmp_path):
    named = {"SECRET_KEY": "a-long-random-value", "ALLOWED_HOSTS": "yiting.example.gov.cn"}
    for args in (["-c", "import deploy.asgi"], ["manage.py", "floor_sweeper"]):
        out = _run(args, tmp_path, **named)
        assert out.returncode != 0 and "YITING_PUBLIC_URL" in out.stderr, out.stderr
    out = _run(["-m", "deploy.launcher", "--bind", "127.0.0.1"], tmp_path, **named)
    assert "yiting stack refuses to start" in out.stderr and "YITING_PUBLIC_URL" in out.stderr
    public = {"YITING_PUBLIC_URL": "https://yiting.example.gov.cn"}
    ok = _run(["-c", "import deploy.asgi"], tmp_path, **named, **public)
    assert ok.returncode == 0, ok.stderr


def test_a_production_process_without_the_cjk_font_refuses_naming_the_package(
    settings, monkeypatch, tmp_path
):
    from core import pdffont

    installed = str(pdffont.font_path())
    settings.DEBUG = False
    settings.SECRET_KEY = "a-long-random-value"
    settings.PDF_FONT = ""
    fonts = tmp_path / "fonts"
    fonts.mkdir()  # a machine whose font folder holds no CJK font
    monkeypatch.setattr(pdffont, "CANDIDATES", tuple(str(fonts / n) for n in ("a.ttc", "b.ttf")))
    [problem] = hardening.startup_problems(settings)
    assert "fonts-wqy-microhei" in problem and "YITING_PDF_FONT" in problem
    with pytest.raises(ImproperlyConfigured, match="fonts-wqy-microhei"):
        hardening.refuse_insecure_start()
    with pytest.raises(SystemExit, match="fonts-wqy-microhei"):
        refuse_unsafe_stack("127.0.0.1")
    settings.PDF_FONT = installed  # YITING_PDF_FONT naming a font file is enough
    assert hardening.startup_problems(settings) == []
    settings.PDF_FONT, settings.DEBUG = "", True  # ./yiting run installs the font itself
    assert hardening.startup_problems(settings) == []


def test_loopback_means_an_address_not_a_name():
    assert hardening.is_loopback("127.0.0.1") and hardening.is_loopback("::1")
    assert hardening.is_loopback("localhost") and hardening.is_loopback("[::1]")
    assert not hardening.is_loopback("0.0.0.0") and not hardening.is_loopback("yiting.example")


# -- /metrics: the token in constant time, loopback from the socket peer only -------------


async def _asgi_get(path: str, client: tuple[str, int], headers: list) -> tuple[int, bytes]:
    from deploy.asgi import application

    sent: list[dict] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": client,
        "server": ("127.0.0.1", 8000),
    }
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(30)  # the client stays; Django cancels this when it answered
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await application(scope, receive, send)
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    assert start is not None, sent
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body


@pytest.mark.django_db(transaction=True)
async def test_forwarded_for_never_makes_a_caller_loopback(settings):
    settings.BEHIND_PROXY = True
    spoof = [(b"x-forwarded-for", b"127.0.0.1")]
    status, _ = await _asgi_get("/metrics", ("10.1.2.3", 5555), spoof)
    assert status == 403  # the socket peer is far away; the header is the caller's word
    status, body = await _asgi_get("/metrics", ("127.0.0.1", 5555), [])
    assert status == 200 and b"yiting_" in body


async def test_the_middleware_keeps_the_peer_and_takes_nginx_entry(settings):
    seen: list[dict] = []

    async def app(scope, receive, send):
        seen.append(scope)

    mw = peer.PeerAddressMiddleware(app)
    xff = [(b"x-forwarded-for", b"127.0.0.1, 203.0.113.7")]  # client wrote the first
    settings.BEHIND_PROXY = True
    await mw({"type": "http", "client": ("127.0.0.1", 1), "headers": xff}, None, None)
    assert seen[-1]["client"] == ("203.0.113.7", 0) and seen[-1][peer.PEER_KEY] == "127.0.0.1"
    await mw({"type": "http", "client": ("10.0.0.9", 1), "headers": xff}, None, None)
    assert seen[-1]["client"] == ("10.0.0.9", 1)  # only the proxy on loopback is believed
    settings.BEHIND_PROXY = False
    await mw({"type": "http", "client": ("127.0.0.1", 1), "headers": xff}, None, None)
    assert seen[-1]["client"] == ("127.0.0.1", 1)


@pytest.mark.django_db
def test_metrics_token_is_compared_in_constant_time(settings, monkeypatch):
    import hmac

    calls: list[tuple] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    settings.METRICS_TOKEN = "s3cret"
    far = Client(REMOTE_ADDR="10.1.2.3")
    assert far.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cre").status_code == 403
    assert far.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200
    assert calls and all(b == b"Bearer s3cret" for _, b in calls)
