from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import jobs
        from notifications.emails import send_notification_emails

        # Last, so that what the other jobs notified is e-mailed in the same round.
        jobs.register("notification e-mails", send_notification_emails, order=100)
