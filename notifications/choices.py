"""How a user wants notifications by e-mail; kept on the user (``partners.User.email_notifications``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailNotifications(models.TextChoices):
    IMMEDIATE = "immediate", _("at once")
    DIGEST = "digest", _("once a day (digest)")
    OFF = "off", _("never")
