"""Deploy tests: fast password hashing for the in-process ones (the committee fixture).

The end-to-end stacks hash passwords in their own processes with the real settings.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
