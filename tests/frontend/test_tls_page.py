"""``/tls/``: the room CA's page and downloads, in Chinese, without a login."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

from deploy import tls

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_ca(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.PUBLIC_URL = "https://10.77.0.1:8443"
    return tls.room_certificates(tmp_path, ["10.77.0.1", "yiting.room"])


def test_the_page_shows_the_fingerprint_and_the_steps_in_chinese(client, room_ca):
    resp = client.get("/tls/")  # anonymous, plain HTTP
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-cache"
    text = resp.content.decode()
    assert room_ca.ca_fingerprint in text
    for words in ("会场根证书", "证书信任设置", "加密与凭据", "受信任的根证书颁发机构"):
        assert words in text, words
    assert "https://10.77.0.1:8443/" in text and "https://yiting.room:8443/" in text
    assert "<script" not in text and "/static/" not in text  # stands alone on plain HTTP
    assert 'id="tls-secure"' not in text
    assert "名称：<b" in text and "有效期至：" in text and ": <b" not in text  # full-width colons
    assert 'id="tls-secure"' in client.get("/tls/", secure=True).content.decode()


def test_the_downloads_are_the_ca(client, room_ca):
    pem = client.get("/tls/ca.pem")
    assert pem.status_code == 200 and pem.content == Path(room_ca.ca).read_bytes()
    der = client.get("/tls/ca.crt")
    assert der["Content-Type"] == "application/x-x509-ca-cert"
    assert x509.load_der_x509_certificate(der.content) == tls.load_cert(room_ca.ca)
    assert client.post("/tls/ca.pem").status_code == 405


def test_without_a_room_ca_it_is_a_chinese_404(client, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    for path in ("/tls/", "/tls/ca.pem", "/tls/ca.crt"):
        resp = client.get(path)
        assert resp.status_code == 404
        assert "没有会场根证书" in resp.content.decode()
