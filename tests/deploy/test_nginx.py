"""The rendered nginx config: accepted by Debian's nginx, and says what docs/deploy.md says."""

from __future__ import annotations

import subprocess

import pytest

from deploy.launcher import ensure_binary, render_nginx, write_nginx


@pytest.fixture
def conf(tmp_path):
    text = render_nginx(
        run_dir=tmp_path / "run",
        listen="127.0.0.1:18999",
        upstreams=["127.0.0.1:8101", "10.0.0.6:8101"],
        static_root=tmp_path / "static",
        media_root=tmp_path / "files",
        ops_allow=["127.0.0.1", "10.0.0.0/8"],
        data_dir=tmp_path,
    )
    return text, write_nginx(tmp_path / "run", text)


def test_nginx_accepts_the_rendered_config(conf):
    nginx = ensure_binary("nginx", "nginx", ("/usr/sbin/nginx",))  # alone, too
    text, path = conf
    out = subprocess.run([nginx, "-t", "-c", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "@@" not in text  # every placeholder filled


def test_routing_rules(conf):
    text, _ = conf
    assert text.count("server 10.0.0.6:8101 max_fails=1") == 2  # both upstreams list it
    ws = text[text.index("upstream yiting_ws") :]
    assert "hash $cookie_sessionid consistent;" in ws.split("}")[0]
    protected = text[text.index("location /_protected/") :].split("}")[0]
    assert "internal;" in protected
    ops = text[text.index("location ~ ^/(metrics|healthz/details)$") :].split("}")[0]
    assert "allow 10.0.0.0/8;" in ops and "deny all;" in ops
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "listen 127.0.0.1:18999 backlog=2048;" in text  # a room's reconnect fits the queue


def test_nginx_refusals_answer_json_with_a_code(tmp_path):
    """An upload over ``client_max_body_size`` and an over-long address: JSON, not HTML."""
    import json
    import time
    import urllib.error
    import urllib.request

    from harness.servers import free_port

    port = free_port()
    text = render_nginx(
        run_dir=tmp_path / "run",
        listen=f"127.0.0.1:{port}",
        upstreams=[f"127.0.0.1:{free_port()}"],
        static_root=tmp_path / "static",
        media_root=tmp_path / "files",
        ops_allow=["127.0.0.1"],
        max_body="1k",
        data_dir=tmp_path,
    )
    path = write_nginx(tmp_path / "run", text)
    nginx = ensure_binary("nginx", "nginx", ("/usr/sbin/nginx",))  # alone, too
    proc = subprocess.Popen(
        [nginx, "-c", str(path)],  # the config says "daemon off"
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):  # bounded: 10 s
            try:
                urllib.request.urlopen(f"{base}/static/none", timeout=1)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("nginx did not start")
        answers = {}
        for label, req in {
            "body": urllib.request.Request(f"{base}/docs/sessions/1/upload/", data=b"x" * 10_000),
            "uri": urllib.request.Request(f"{base}/?q=" + "a" * 20_000),
        }.items():
            with pytest.raises(urllib.error.HTTPError) as exc:
                urllib.request.urlopen(req, timeout=5)
            answers[label] = (exc.value.code, json.loads(exc.value.read()))
        assert answers["body"][0] == 413 and answers["body"][1]["code"] == "pdf_too_large"
        assert "上限" in answers["body"][1]["message"]
        assert answers["uri"][0] == 414 and answers["uri"][1]["code"] == "uri_too_long"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
