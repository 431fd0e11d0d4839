"""The room CA and server certificate (deploy/tls.py), and what a TLS stack's children get."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import stat
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from deploy import tls
from harness.servers import ROOT

NAMES = ["yiting.room", "10.77.0.1"]


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_first_use_makes_a_ca_and_a_server_certificate_for_the_names(tmp_path):
    certs = tls.room_certificates(tmp_path, NAMES)
    assert certs.made == ("ca", "server")
    folder = tmp_path / "tls"
    assert certs.ca == folder / "ca.pem" and certs.cert == folder / "server.pem"
    assert _mode(folder / "ca.key") == 0o600 and _mode(folder / "server.key") == 0o600
    assert _mode(folder / "ca.pem") == 0o644

    ca, server = tls.load_cert(certs.ca), tls.load_cert(certs.cert)
    server.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["yiting.room"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.77.0.1")]
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in eku
    # short enough for Apple's rule on server certificates (≤ 825 days)
    life = server.not_valid_after_utc - server.not_valid_before_utc
    assert life <= dt.timedelta(days=825)

    fp = certs.ca_fingerprint
    assert len(fp.split(":")) == 32 and fp == fp.upper()
    der = server.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import base64
    import hashlib

    assert certs.spki_sha256 == base64.b64encode(hashlib.sha256(der).digest()).decode()


def test_later_starts_reuse_them_and_renew_before_expiry(tmp_path):
    first = tls.room_certificates(tmp_path, NAMES)
    ca_bytes, server_bytes = first.ca.read_bytes(), first.cert.read_bytes()

    again = tls.room_certificates(tmp_path, NAMES)
    assert again.made == ()
    assert again.ca.read_bytes() == ca_bytes and again.cert.read_bytes() == server_bytes

    # 20 days before the server certificate ends: a new one, under the same CA
    ends = tls.load_cert(first.cert).not_valid_after_utc
    later = tls.room_certificates(tmp_path, NAMES, now=ends - dt.timedelta(days=20))
    assert later.made == ("server",)
    assert later.ca.read_bytes() == ca_bytes and later.cert.read_bytes() != server_bytes
    assert tls.load_cert(later.cert).not_valid_after_utc > ends


def test_other_names_make_a_new_server_certificate_not_a_new_ca(tmp_path):
    first = tls.room_certificates(tmp_path, NAMES)
    ca_bytes = first.ca.read_bytes()
    moved = tls.room_certificates(tmp_path, ["10.77.0.9"])
    assert moved.made == ("server",) and moved.ca.read_bytes() == ca_bytes
    assert tls.cert_names(tls.load_cert(moved.cert)) == ("10.77.0.9",)


def test_a_lost_ca_key_makes_a_new_ca_and_server(tmp_path):
    before = tls.room_certificates(tmp_path, NAMES).ca_fingerprint
    (tmp_path / "tls" / "ca.key").unlink()
    again = tls.room_certificates(tmp_path, NAMES)
    assert again.made == ("ca", "server")
    assert again.ca_fingerprint != before
    tls.load_cert(again.cert).verify_directly_issued_by(tls.load_cert(again.ca))


def test_institution_certificate_is_checked(tmp_path):
    a = tls.room_certificates(tmp_path / "a", ["yiting.example.gov.cn"])
    b = tls.room_certificates(tmp_path / "b", ["other"])
    ok = tls.institution_certificates(a.cert, a.key)
    assert ok.names == ("yiting.example.gov.cn",) and ok.ca is None
    with pytest.raises(ValueError, match="does not belong"):
        tls.institution_certificates(a.cert, b.key)
    with pytest.raises(ValueError, match="expired"):
        tls.institution_certificates(a.cert, a.key, now=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="cannot read"):
        tls.institution_certificates(tmp_path / "none.pem", a.key)


def test_default_names_are_the_host_and_its_non_loopback_addresses():
    names = tls.default_names()
    assert names[0] == __import__("socket").gethostname()
    for n in names[1:]:
        assert not ipaddress.ip_address(n).is_loopback


def test_environment_of_a_tls_stack():
    env = tls.environment(["10.77.0.1", "yiting.room", "fd00::1"], 8443, {})
    assert env["YITING_SECURE_COOKIES"] == "true"
    hosts = env["ALLOWED_HOSTS"].split(",")
    assert {"10.77.0.1", "yiting.room", "[fd00::1]", "127.0.0.1"} <= set(hosts)
    assert "*" not in hosts
    assert env["CSRF_TRUSTED_ORIGINS"].split(",") == [
        "https://10.77.0.1:8443",
        "https://yiting.room:8443",
        "https://[fd00::1]:8443",
    ]
    assert env["YITING_PUBLIC_URL"] == "https://10.77.0.1:8443"
    # what the operator set is kept and added to; a loopback public URL is not kept
    kept = tls.environment(
        ["a.room"],
        443,
        {
            "ALLOWED_HOSTS": "b.room",
            "YITING_PUBLIC_URL": "https://a.room",
            "YITING_HSTS_SECONDS": "60",
        },
    )
    assert kept["ALLOWED_HOSTS"].split(",")[:2] == ["b.room", "a.room"]
    assert "YITING_PUBLIC_URL" not in kept and kept["YITING_HSTS_SECONDS"] == "60"
    assert kept["CSRF_TRUSTED_ORIGINS"] == "https://a.room"
    loop = tls.environment(["a.room"], 443, {"YITING_PUBLIC_URL": "http://127.0.0.1:8000"})
    assert loop["YITING_PUBLIC_URL"] == "https://a.room"


def test_check_deploy_has_no_warning_in_tls_mode(tmp_path):
    """``manage.py check --deploy`` with what the launcher gives a TLS stack's children."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deploy.settings",
        "YITING_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 20 + "-Q9v_wX2#zL7@pR4!mN8&bT1^cY6*eU3%hJ5",
        "DEBUG": "false",
        "YITING_BEHIND_PROXY": "true",
    }
    env.pop("ALLOWED_HOSTS", None)
    env.update(tls.environment(["10.77.0.1"], 8443, env))
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
    # and without the TLS environment it does warn (the test can fail)
    env.pop("YITING_SSL_REDIRECT")
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0 and "security.W008" in out.stdout + out.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "secure", "kept"),
    [
        ("10.77.0.1:8000", False, False),  # plain HTTP at a LAN address: browsers ignore it
        ("yiting.room", False, False),
        ("127.0.0.1:8000", False, True),  # loopback is a secure context
        ("[::1]:8000", False, True),
        ("localhost", False, True),
        ("10.77.0.1:8443", True, True),  # HTTPS
    ],
)
def test_coop_only_where_browsers_apply_it(client, settings, host, secure, kept):
    settings.ALLOWED_HOSTS = ["*"]
    resp = client.get("/login/", HTTP_HOST=host, secure=secure)
    assert resp.status_code == 200
    assert ("Cross-Origin-Opener-Policy" in resp) is kept


def test_a_reload_renews_the_room_certificate_near_its_end(tmp_path):
    """SIGHUP (``Stack.reload``) renews the server certificate before nginx re-reads it."""
    from deploy import launcher

    opts = launcher.parse_args(
        ["--tls", "room", "--name", NAMES[0], "--name", NAMES[1], "--data-dir", str(tmp_path)]
    )
    soon = dt.datetime.now(dt.UTC) - dt.timedelta(days=tls.SERVER_DAYS - 10)
    old = tls.room_certificates(tmp_path, NAMES, now=soon)  # ends in about 10 days
    ends, ca_bytes = tls.load_cert(old.cert).not_valid_after_utc, old.ca.read_bytes()
    stack = launcher.Stack(opts, old)
    assert stack._reload_certificates()
    assert stack.certs.made == ("server",) and stack.certs.cert == old.cert
    assert tls.load_cert(old.cert).not_valid_after_utc > ends + dt.timedelta(days=300)
    assert old.ca.read_bytes() == ca_bytes  # tablets keep the CA they installed


def test_a_reload_with_an_expired_institution_certificate_is_abandoned(tmp_path):
    from deploy import launcher

    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=tls.SERVER_DAYS + 5)
    made = tls.room_certificates(tmp_path / "inst", NAMES, now=past)  # expired by now
    opts = launcher.parse_args(
        ["--tls-cert", str(made.cert), "--tls-key", str(made.key), "--data-dir", str(tmp_path)]
    )
    stack = launcher.Stack(opts, made)
    assert not stack._reload_certificates()
    assert stack.certs is made  # the running nginx keeps what it has
