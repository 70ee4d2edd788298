from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from core import events, jobs
        from webhooks.sending import purge_delivery_log, send_due
        from webhooks.services import fan_out

        # The domains publish events (core.events) without knowing who listens; we write a delivery per subscriber.
        events.listen("webhooks", fan_out)
        # Each delivery is a job at its moment (webhooks/tasks.py); this sweep sends what a job missed.
        jobs.register("webhook deliveries", send_due)
        jobs.register("webhook delivery log retention", purge_delivery_log)
