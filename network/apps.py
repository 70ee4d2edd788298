from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Local cooperation network")

    def ready(self) -> None:
        # The user's scope (core.scope) is built from memberships, which this app owns.
        from core.scope import register_scope_loader
        from network.access import load_scope

        register_scope_loader(load_scope)
