from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    label = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        from jobs import registry
        from realtime import housekeeping

        # Receipts and stale presence rows only grow otherwise (realtime/housekeeping.py).
        registry.periodic("realtime.prune", housekeeping.EVERY_S, housekeeping.prune)
