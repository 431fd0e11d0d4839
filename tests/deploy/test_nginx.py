"""The rendered nginx config: accepted by Debian's nginx, and says what docs/deploy.md says."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from deploy.launcher import render_nginx, write_nginx


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
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
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
