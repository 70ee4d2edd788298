from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import jobs
        from notifications.emails import send_digests, send_notification_emails

        # Each notification defers its own e-mail job (notifications/tasks.py); the sweep catches what one missed.
        jobs.register("notification e-mails", send_notification_emails, order=100)
        # Every hour on the hour: cron runs in UTC, the digest hour is local (NOTIFICATIONS_DIGEST_HOUR, TIME_ZONE,
        # summer time too), so each run sends the digests that are due by local time, once a day.
        jobs.register("daily e-mail digest", send_digests, cron="0 * * * *")
