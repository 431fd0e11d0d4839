"""Recording follows the floor: the floor's signals, connected at app start."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from core.signals import floor_granted, floor_released
from media.services import recording

log = logging.getLogger(__name__)


@receiver(floor_granted, dispatch_uid="media.floor_granted")
def on_floor_granted(sender, **kw) -> None:
    try:
        recording.floor_granted(**kw)
    except Exception:  # the floor has committed; never break its caller
        log.exception("could not start recording for floor entry %s", kw.get("entry_id"))


@receiver(floor_released, dispatch_uid="media.floor_released")
def on_floor_released(sender, **kw) -> None:
    try:
        recording.floor_released(**kw)
    except Exception:
        log.exception("could not stop recording for floor entry %s", kw.get("entry_id"))
