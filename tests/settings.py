"""Settings of the pytest process: production settings plus what tests need.

- a SECRET_KEY of their own, so importing ``deploy.asgi`` passes the start-up refusal
  (core/hardening.py) without DEBUG (tests run with DEBUG false, as production does);
- no background threads: a test imports the ASGI app to drive sockets, and a job worker
  or floor sweeper thread would race each test's transaction. Tests run jobs and sweeps
  by hand; servers the tests start (Daphne, ``manage.py worker``) use deploy.settings.
"""

from deploy.settings import *  # noqa: F403

SECRET_KEY = "yiting-tests-only-secret-key"
START_BACKGROUND = False
# Logins made by tests hash fast; any process checks them (tests/hashers.py).
PASSWORD_HASHERS = ["tests.hashers.QuickPBKDF2PasswordHasher"]
# Pages rendered in the test process name static files plainly: a STATIC_ROOT left by an
# earlier collectstatic must not decide them (tests/deploy/test_static_manifest.py runs
# collectstatic with the hashed storage itself).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
