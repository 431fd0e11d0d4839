"""The channel layer's Redis prefix: one per deployment, so two stacks on one Redis never
hear each other.

Redis pub/sub channels are global to the server (the database number in ``REDIS_URL``
does not separate them), and channels_redis names every group and channel from its
``prefix``. Every process of one deployment uses the same database, so the default prefix
is derived from the database's identity (host, port, name): the workers of one stack
agree without configuration, and a second stack on another database (a staging copy, a
test run) gets another prefix. ``YITING_CHANNEL_PREFIX`` overrides it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def deployment_prefix(database: Mapping[str, object]) -> str:
    """``yt.<10 hex>.``, the same for every process using ``database``."""
    ident = "|".join(str(database.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    return f"yt.{hashlib.sha256(ident.encode()).hexdigest()[:10]}."
