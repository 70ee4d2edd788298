from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: coordinator, partner staff, employer, monitor or operator.

    Roles are not stored here: they follow from memberships (partner staff, network coordinators),
    except the regional monitor, who belongs to no partner and sees only aggregates.
    """

    class Language(models.TextChoices):
        POLISH = "pl", _("Polish")
        ENGLISH = "en", _("English")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.POLISH)
    is_regional_monitor = models.BooleanField(
        _("regional monitor"),
        default=False,
        help_text=_("Sees anonymous aggregates across all networks and never a person."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
