"""Certificates for ``./yiting stack``: the room's own CA, or the institution's.

Browsers give a page the camera, the microphone and Service Workers only in a secure
context: HTTPS, or loopback. A committee room's tablets reach the server at a LAN
address, so without HTTPS there is no recording and no offline reading (DESIGN.md,
rule 7). Two ways to have it:

- ``--tls room``: on first use a small CA of the room ("议厅 会场根证书") and a server
  certificate signed by it for the names and addresses the tablets use. Both live under
  ``$YITING_DATA_DIR/tls/`` (keys readable by their owner only) and are re-used on later
  starts; the server certificate is made again when it has less than ``RENEW_BEFORE``
  left, when the names change or when the CA changed. Tablets install the CA once (the
  ``/tls/`` page, served over plain HTTP too, shows how and the fingerprint to compare).
- ``--tls-cert FILE --tls-key FILE``: a certificate the institution issued; checked
  here (readable, key matches, not expired) so nginx does not fail later with less to say.

Everything is made with the ``cryptography`` package: no ``openssl`` binary to find.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import ipaddress
import os
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# A CA the tablets install once: long-lived, so a room is not re-equipped every year.
CA_DAYS = 3650
# Apple refuses server certificates valid for more than 825 days even under a
# user-installed root; 397 is the limit public CAs keep and what every browser accepts.
SERVER_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)
CA_RENEW_BEFORE = dt.timedelta(days=90)
CA_NAME = "议厅 Yiting 会场根证书"

CA_CERT, CA_KEY = "ca.pem", "ca.key"
SERVER_CERT, SERVER_KEY = "server.pem", "server.key"


@dataclass(frozen=True)
class Certificates:
    """What nginx and the launcher need: the files, the names they cover, fingerprints."""

    cert: Path
    key: Path
    names: tuple[str, ...]
    ca: Path | None = None  # the room CA (None for the institution's certificate)
    made: tuple[str, ...] = ()  # what was made on this call ("ca", "server")

    @property
    def ca_fingerprint(self) -> str | None:
        return fingerprint(self.ca) if self.ca else None

    @property
    def spki_sha256(self) -> str:
        return spki_sha256(self.cert)


# -- names ----------------------------------------------------------------------------------


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


def _ipv4_addresses() -> list[str]:
    """Each interface's IPv4 address (Linux ``SIOCGIFADDR``), without shelling out."""
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))
            except OSError:  # no IPv4 address on this interface
                continue
            found.append(socket.inet_ntoa(packed[20:24]))
    return found


def _ipv6_addresses() -> list[str]:
    """Global IPv6 addresses (``/proc/net/if_inet6``); link-local ones need a zone id that
    a certificate cannot name, so they are left out."""
    path = Path("/proc/net/if_inet6")
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        raw = line.split()[0]
        addr = ipaddress.IPv6Address(bytes.fromhex(raw))
        if not addr.is_link_local:
            found.append(str(addr))
    return found


def default_names() -> list[str]:
    """The host name and every non-loopback address of this machine, in that order."""
    names = [socket.gethostname()]
    for addr in _ipv4_addresses() + _ipv6_addresses():
        if not ipaddress.ip_address(addr).is_loopback and addr not in names:
            names.append(addr)
    return names


def _general_names(names: list[str] | tuple[str, ...]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for n in names:
        if is_ip(n):
            out.append(x509.IPAddress(ipaddress.ip_address(n.strip("[]"))))
        else:
            out.append(x509.DNSName(n.lower()))
    return out


def cert_names(cert: x509.Certificate) -> tuple[str, ...]:
    """The DNS names and IP addresses a certificate covers (its subjectAltName)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    dns = san.get_values_for_type(x509.DNSName)
    ips = [str(a) for a in san.get_values_for_type(x509.IPAddress)]
    return tuple(dns + ips)


# -- reading --------------------------------------------------------------------------------


def load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def load_key(path: Path):
    return serialization.load_pem_private_key(Path(path).read_bytes(), password=None)


def fingerprint(path: Path) -> str:
    """SHA-256 of the certificate as tablets show it (``AB:CD:…``, upper case)."""
    digest = load_cert(path).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)


def spki_sha256(path: Path) -> str:
    """base64 SHA-256 of the certificate's public key, as Chromium's
    ``--ignore-certificate-errors-spki-list`` and HPKP-style pins name it."""
    der = (
        load_cert(path)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- writing --------------------------------------------------------------------------------


def _write_key(path: Path, key) -> None:
    """Private keys are created 0600 (never world-readable, not even for a moment)."""
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _ski(key) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key())


def make_ca(folder: Path, now: dt.datetime | None = None) -> None:
    """A new room CA: ECDSA P-256, ``CA:TRUE`` with path length 0 (it signs servers only)."""
    now = now or _now()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Yiting"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))  # tablets whose clock runs late
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_ski(key), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(folder / CA_KEY, key)
    _write_cert(folder / CA_CERT, cert)


def make_server(folder: Path, names: list[str], now: dt.datetime | None = None) -> None:
    """A server certificate for ``names`` (DNS names and IP addresses), signed by the CA."""
    now = now or _now()
    ca_cert, ca_key = load_cert(folder / CA_CERT), load_key(folder / CA_KEY)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(min(now + dt.timedelta(days=SERVER_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName(_general_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_ski(key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(folder / SERVER_KEY, key)
    _write_cert(folder / SERVER_CERT, cert)


# -- deciding what to (re)make ----------------------------------------------------------------


def _ca_fit(folder: Path, now: dt.datetime) -> bool:
    try:
        cert, key = load_cert(folder / CA_CERT), load_key(folder / CA_KEY)
    except (OSError, ValueError):
        return False
    same_key = cert.public_key().public_numbers() == key.public_key().public_numbers()
    return same_key and cert.not_valid_after_utc - now > CA_RENEW_BEFORE


def _server_fit(folder: Path, names: list[str], now: dt.datetime) -> bool:
    try:
        cert, key = load_cert(folder / SERVER_CERT), load_key(folder / SERVER_KEY)
        ca = load_cert(folder / CA_CERT)
    except (OSError, ValueError):
        return False
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except Exception:  # another CA's (signature, algorithm or issuer name differ)
        return False
    wanted = {str(g.value).lower() for g in _general_names(names)}
    have = {n.lower() for n in cert_names(cert)}
    return have == wanted and cert.not_valid_after_utc - now > RENEW_BEFORE


def room_certificates(
    data_dir: Path, names: list[str], now: dt.datetime | None = None
) -> Certificates:
    """The room CA and server certificate under ``data_dir/tls``, made or renewed as needed.

    A CA is made only when there is none (or it nears its end: then every tablet must
    install the new one, which the launcher says loudly); the server certificate again
    when its names changed, it has less than ``RENEW_BEFORE`` left, or the CA changed.
    """
    if not names:
        raise ValueError("a room certificate needs at least one name or address")
    now = now or _now()
    folder = Path(data_dir) / "tls"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)  # certificates are public; the keys are 0600 on their own
    made = []
    if not _ca_fit(folder, now):
        make_ca(folder, now)
        made.append("ca")
    if "ca" in made or not _server_fit(folder, names, now):
        make_server(folder, names, now)
        made.append("server")
    return Certificates(
        cert=folder / SERVER_CERT,
        key=folder / SERVER_KEY,
        names=tuple(names),
        ca=folder / CA_CERT,
        made=tuple(made),
    )


def institution_certificates(cert_path: Path, key_path: Path, now=None) -> Certificates:
    """The institution's certificate, checked: readable, key matches, still valid.

    Raises ``ValueError`` with a sentence for the operator when it is not fit.
    """
    now = now or _now()
    try:
        pem = Path(cert_path).read_bytes()
        cert = x509.load_pem_x509_certificates(pem)[0]  # leaf first, then the chain
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the certificate {cert_path}: {exc}") from exc
    try:
        key = load_key(key_path)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"cannot read the key {key_path} (unencrypted PEM): {exc}") from exc
    if cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ValueError(f"the key {key_path} does not belong to the certificate {cert_path}")
    if cert.not_valid_after_utc <= now:
        raise ValueError(
            f"the certificate {cert_path} expired on {cert.not_valid_after_utc:%Y-%m-%d}"
        )
    return Certificates(cert=Path(cert_path), key=Path(key_path), names=cert_names(cert))


def days_left(path: Path, now: dt.datetime | None = None) -> int:
    return (load_cert(path).not_valid_after_utc - (now or _now())).days


# -- what the stack's processes need in TLS mode ----------------------------------------------


def origin(name: str, port: int) -> str:
    """``https://name[:port]`` as a browser sends it in ``Origin`` (IPv6 in brackets)."""
    host = f"[{name.strip('[]')}]" if ":" in name.strip("[]") else name
    return f"https://{host}" + ("" if port == 443 else f":{port}")


def host(name: str) -> str:
    return f"[{name.strip('[]')}]" if ":" in name.strip("[]") else name


def _merge(existing: str, extra: list[str]) -> str:
    items = [i.strip() for i in existing.split(",") if i.strip()]
    return ",".join(dict.fromkeys(items + extra))


LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def environment(names: list[str] | tuple[str, ...], port: int, environ: dict) -> dict[str, str]:
    """The settings every child of a TLS stack gets (deploy/settings.py reads them).

    Cookies marked ``Secure``; the host names and origins tablets use accepted (plus
    loopback, which the launcher's own health checks and operators on the machine use);
    links printed for devices (briefs' QR codes) at the first name over HTTPS; HTTPS
    enforced by Django too (nginx already redirects) and announced with HSTS, so that
    ``manage.py check --deploy`` has nothing to say. What the operator set is kept, and
    only added to.
    """
    names = list(names)
    env = {
        "YITING_SECURE_COOKIES": "true",
        "YITING_SSL_REDIRECT": "true",
        "ALLOWED_HOSTS": _merge(
            environ.get("ALLOWED_HOSTS", ""), [host(n) for n in names] + LOOPBACK_HOSTS
        ),
        "CSRF_TRUSTED_ORIGINS": _merge(
            environ.get("CSRF_TRUSTED_ORIGINS", ""), [origin(n, port) for n in names]
        ),
        "YITING_HSTS_SECONDS": environ.get("YITING_HSTS_SECONDS") or str(365 * 24 * 3600),
    }
    public = environ.get("YITING_PUBLIC_URL", "")
    if not public or _is_loopback_url(public) or public.startswith("http://"):
        env["YITING_PUBLIC_URL"] = origin(names[0], port)
    return env


def _is_loopback_url(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
