from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _rules_with_sitting(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Every sitting gets its floor rules row in the transaction that creates it.

    Per-sitting rows are made when the sitting is, never on first read: a read path
    (the snapshot of a first ``sync``) that writes races with its neighbours.
    """
    if not created or raw:
        return
    from meeting.floor.models import FloorRules

    FloorRules.objects.get_or_create(sitting_id=instance.pk)


class FloorConfig(AppConfig):
    """The speaking queue (发言排队), the floor and the speaking log."""

    name = "meeting.floor"
    label = "floor"
    verbose_name = _("Floor")

    def ready(self) -> None:
        from core.models import Sitting

        post_save.connect(_rules_with_sitting, sender=Sitting, dispatch_uid="floor-rules")
