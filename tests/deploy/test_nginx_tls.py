"""nginx with the room's certificate, in front of a stand-in upstream that records requests.

What the rendered config promises (deploy/nginx/yiting.conf.in): HTTPS with TLS 1.2+ and
HTTP/2 (ALPN), the plain-HTTP port answering 301 to HTTPS except ``/tls/`` and
``/healthz``, an ``X-Request-ID`` sent upstream and written in the access log, and page
images sent by nginx from the data folder when the view answers ``X-Accel-Redirect``.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploy import tls
from deploy.launcher import NginxTls, ensure_binary, render_nginx, write_nginx
from harness.servers import free_port

PAGE = "/_protected/pages/abc123/800/1.jpg"


class Upstream(BaseHTTPRequestHandler):
    """Records each request's path and headers; ``/page`` answers with X-Accel-Redirect."""

    seen: list[tuple[str, dict]] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Upstream.seen.append((self.path, dict(self.headers)))
        if self.path == "/page":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("X-Accel-Redirect", PAGE)
            self.send_header("ETag", '"abc123-1-800"')
            self.send_header("Cache-Control", "private, no-cache")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"upstream " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def front(tmp_path):
    """nginx on free loopback ports (HTTPS and plain HTTP) before the stand-in upstream."""
    nginx = ensure_binary("nginx", "nginx", ("/usr/sbin/nginx",))
    certs = tls.room_certificates(tmp_path, ["127.0.0.1", "localhost"])
    up = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    https, http = free_port(), free_port()
    page = tmp_path / "docs" / "pages" / "abc123" / "800" / "1.jpg"
    page.parent.mkdir(parents=True)
    page.write_bytes(b"\xff\xd8 a page image \xff\xd9")
    text = render_nginx(
        run_dir=tmp_path / "run",
        listen=f"127.0.0.1:{https}",
        upstreams=[f"127.0.0.1:{up.server_address[1]}"],
        static_root=tmp_path / "static",
        media_root=tmp_path / "files",
        ops_allow=["127.0.0.1"],
        data_dir=tmp_path,
        tls=NginxTls(certs.cert, certs.key, f"127.0.0.1:{http}", https),
    )
    conf = write_nginx(tmp_path / "run", text)
    check = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "deprecated" not in check.stderr  # the listen/http2 syntax of this nginx
    proc = subprocess.Popen([nginx, "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:  # bounded: 10 s
            try:
                socket.create_connection(("127.0.0.1", https), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "nginx did not listen"
                time.sleep(0.05)
        Upstream.seen.clear()
        yield {"https": https, "http": http, "certs": certs, "run": tmp_path / "run", "page": page}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        up.shutdown()


def _https(front, path: str, headers=None) -> tuple[int, dict, bytes, ssl.SSLSocket]:
    ctx = ssl.create_default_context(cafile=str(front["certs"].ca))  # the room CA only
    conn = http.client.HTTPSConnection("127.0.0.1", front["https"], context=ctx, timeout=5)
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    out = (r.status, dict(r.getheaders()), r.read(), conn.sock)
    conn.close()
    return out


def _http(front, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", front["http"], timeout=5)
    conn.request("GET", path)
    r = conn.getresponse()
    out = (r.status, dict(r.getheaders()), r.read())
    conn.close()
    return out


def test_https_with_the_room_ca_sends_a_request_id_upstream_and_logs_it(front):
    status, _, body, _ = _https(front, "/login/")
    assert status == 200 and body == b"upstream /login/"
    path, headers = Upstream.seen[-1]
    rid = headers.get("X-Request-ID", "")
    assert re.fullmatch(r"[0-9a-f]{32}", rid), headers
    assert headers["X-Forwarded-Proto"] == "https"
    # nginx writes the access line when it finalises the request, which may be just
    # after the client has its answer: read the log until the line is there (5 s bound)
    access = front["run"] / "logs" / "nginx-access.log"
    deadline = time.monotonic() + 5
    while f"rid={rid}" not in (log := access.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert f"rid={rid}" in log and '"GET /login/ HTTP/1.1" 200' in log, log[-2000:]


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated")
def test_tls_versions_and_http2(front):
    ctx = ssl.create_default_context(cafile=str(front["certs"].ca))
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", front["https"]), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s,
    ):
        assert s.selected_alpn_protocol() == "h2"
        assert s.version() in ("TLSv1.2", "TLSv1.3")
    # TLS 1.1 and older are refused by the server
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    old.set_ciphers("DEFAULT:@SECLEVEL=0")  # so this client offers TLS 1.1 at all
    old.minimum_version = ssl.TLSVersion.TLSv1_1
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    with (
        socket.create_connection(("127.0.0.1", front["https"]), timeout=5) as raw,
        pytest.raises(ssl.SSLError) as refused,
    ):
        old.wrap_socket(raw, server_hostname="127.0.0.1")
    assert "ALERT_PROTOCOL_VERSION" in str(refused.value)  # the server said no
    # and another CA's client does not accept the certificate (it is the room's, not public)
    other = ssl.create_default_context()
    with (
        socket.create_connection(("127.0.0.1", front["https"]), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        other.wrap_socket(raw, server_hostname="127.0.0.1")


def test_plain_http_redirects_except_the_ca_page_and_liveness(front):
    status, headers, _ = _http(front, "/login/?next=/tablet/3/")
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{front['https']}/login/?next=/tablet/3/"
    for path in ("/tls/", "/tls/ca.pem", "/healthz"):
        status, _, body = _http(front, path)
        assert status == 200 and body == b"upstream " + path.encode(), path
        assert Upstream.seen[-1][1]["X-Forwarded-Proto"] == "http"
    assert _http(front, "/healthz/details")[0] == 301  # operators' page: only over HTTPS


def test_page_images_are_sent_by_nginx_after_the_view(front):
    status, headers, body, _ = _https(front, "/page")
    assert status == 200 and body == front["page"].read_bytes()
    assert headers["ETag"] == '"abc123-1-800"'  # the view's, not nginx's own
    assert headers["Cache-Control"] == "private, no-cache"
    assert headers["Content-Type"] == "image/jpeg"
    # asked for directly, the internal location is not there
    assert _https(front, PAGE)[0] == 404
