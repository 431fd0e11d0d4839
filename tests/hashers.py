"""A password hasher for the test process: PBKDF2 with few iterations.

Django's default costs about 0.33 s a hash on the CI machine, and every committee fixture
creates about 15 logins: 5 s of set-up per database test, most of the suite's time. The
algorithm name stays ``pbkdf2_sha256`` and the iteration count is stored in each hash, so
a server the tests start with the production settings (Daphne, ``manage.py serve``)
checks these passwords with its own, slow hasher (and upgrades them on a login).
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000
