"""Settings come from the environment; the defaults are the embedded single process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
    "'host': s.DATABASES['default'].get('HOST'), 'layer': s.CHANNEL_LAYERS['default']['BACKEND'],"
    "'hosts': s.CHANNEL_LAYERS['default'].get('CONFIG', {}).get('hosts'), 'data': str(s.DATA_DIR),"
    "'debug': s.DEBUG, 'allowed': s.ALLOWED_HOSTS, 'secret': s.SECRET_KEY, 'lang': s.LANGUAGE_CODE,"
    "'secure': s.SESSION_COOKIE_SECURE, 'workers': s.INPROCESS_WORKERS,"
    "'public': s.PUBLIC_URL, 'font': s.PDF_FONT,"
    "'prefix': s.CHANNEL_LAYERS['default'].get('CONFIG', {}).get('prefix'),"
    "'db_options': s.DATABASES['default'].get('OPTIONS', {}),"
    "'backlog': s.YITING_LISTEN_BACKLOG}))"
)


def probe(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    clean.update({"DJANGO_SETTINGS_MODULE": "deploy.settings", "YITING_DATA_DIR": str(tmp_path)})
    clean.update(env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_defaults_are_sqlite_and_in_memory(tmp_path):
    s = probe(tmp_path)
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "yiting.sqlite3")
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["lang"] == "zh-hans" and s["debug"] is False and s["workers"] is True
    assert s["public"] == "http://127.0.0.1:8000" and s["font"] == ""


def test_environment_overrides(tmp_path):
    s = probe(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.internal:5433/yiting",
        REDIS_URL="redis://cache.internal:6380/2",
        SECRET_KEY="s3cret",
        ALLOWED_HOSTS="yiting.example,10.0.0.5",
        DEBUG="true",
        YITING_SECURE_COOKIES="true",
        YITING_PUBLIC_URL="https://yiting.example/",
        YITING_PDF_FONT="/srv/fonts/cjk.ttf",
    )
    assert s["db"] == "django.db.backends.postgresql"
    assert (s["name"], s["host"]) == ("yiting", "db.internal")
    assert s["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert s["hosts"] == ["redis://cache.internal:6380/2"]
    assert s["secret"] == "s3cret" and s["debug"] is True and s["secure"] is True
    assert s["allowed"] == ["yiting.example", "10.0.0.5"]
    assert s["workers"] is False  # with Redis, workers run as their own processes
    assert s["public"] == "https://yiting.example" and s["font"] == "/srv/fonts/cjk.ttf"


def test_postgresql_prepares_its_statements_unless_told_not_to(tmp_path):
    pg = "postgres://u:p@db.internal:5433/yiting"
    opts = probe(tmp_path, DATABASE_URL=pg)["db_options"]
    assert opts["server_side_binding"] is True and opts["prepare_threshold"] == 2
    opts = probe(tmp_path, DATABASE_URL=pg, YITING_PG_PREPARE_THRESHOLD="none")["db_options"]
    assert "server_side_binding" not in opts and "prepare_threshold" not in opts
    assert "prepare_threshold" not in probe(tmp_path)["db_options"]  # SQLite: not its option


def test_listen_backlog_defaults_to_a_room_and_can_be_set(tmp_path):
    assert probe(tmp_path)["backlog"] == 2048
    assert probe(tmp_path, YITING_LISTEN_BACKLOG="4096")["backlog"] == 4096


def test_core_channel_layer_can_be_chosen(tmp_path):
    s = probe(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", YITING_CHANNEL_LAYER="core")
    assert s["layer"] == "channels_redis.core.RedisChannelLayer"


def test_each_database_gets_its_own_channel_prefix(tmp_path):
    """Two stacks on one Redis differ by default (their databases differ); the workers of
    one stack agree; YITING_CHANNEL_PREFIX overrides."""
    a = probe(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", DATABASE_URL="postgres://u@db/a")
    a2 = probe(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", DATABASE_URL="postgres://u@db/a")
    b = probe(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", DATABASE_URL="postgres://u@db/b")
    assert a["prefix"] == a2["prefix"] != b["prefix"]
    assert a["prefix"].startswith("yt.") and len(a["prefix"]) == 14
    named = probe(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", YITING_CHANNEL_PREFIX="hall2.")
    assert named["prefix"] == "hall2."


def test_the_packages_read_settings_not_the_environment():
    """An operator's knob is a setting (deploy/settings.py, documented in README.md)."""
    offenders = []
    for package in ("meeting", "docs_store", "realtime", "jobs", "frontend"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "os.environ.get(" in line or "os.getenv(" in line or "os.environ[" in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_every_yiting_setting_is_in_the_readme_table():
    names = set(
        re.findall(r'env\.\w+\(\s*"(YITING_\w+)"', (ROOT / "deploy/settings.py").read_text())
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert names and sorted(n for n in names if f"`{n}`" not in readme) == []
