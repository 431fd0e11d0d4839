from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    label = "realtime"
    verbose_name = _("Realtime")

    def ready(self) -> None:
        from core import events, process
        from jobs import registry
        from realtime import housekeeping, presence, registration, snapshot
        from realtime.events import DELIVERY

        # The domain's events are delivered by this app (meeting imports nothing from it),
        # and its refusals are worded per code by the protocol's message table.
        events.register(DELIVERY)
        # Whether a process on another host lives is seen from its sockets' presence rows.
        process.register_seen(presence.server_seen)
        from core.errors import register_localizer
        from realtime.protocol.messages import localize

        register_localizer(localize)
        # The protocol's messages and handlers, from the one list of their modules: a
        # command without a handler, or a handler without a schema, stops the start.
        registration.install()
        snapshot.register_parts()  # the snapshot's parts, explicitly: a lost one stops the start

        # Receipts and stale presence rows only grow otherwise (realtime/housekeeping.py).
        registry.periodic("realtime.prune", housekeeping.EVERY_S, housekeeping.prune)
