from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    label = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        from django.core.exceptions import ImproperlyConfigured

        from jobs import registry
        from meeting import events
        from realtime import housekeeping, snapshot
        from realtime.events import DELIVERY
        from realtime.handlers import HANDLERS, load_all
        from realtime.protocol import REGISTRY

        # The domain's events are delivered by this app (meeting imports nothing from it),
        # and its refusals are worded per code by the protocol's message table.
        events.register(DELIVERY)
        from meeting.services.errors import register_localizer
        from realtime.protocol.messages import localize

        register_localizer(localize)
        # Every command of the protocol has its handler, or the process does not start.
        load_all()
        snapshot.register_parts()  # the snapshot's parts, explicitly: a lost one stops the start
        missing = sorted(set(REGISTRY.commands) - set(HANDLERS))
        if missing:
            raise ImproperlyConfigured(f"protocol commands without a handler: {missing}")

        # Receipts and stale presence rows only grow otherwise (realtime/housekeeping.py).
        registry.periodic("realtime.prune", housekeeping.EVERY_S, housekeeping.prune)
