from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Local cooperation network")

    def ready(self) -> None:
        # The user's scope (core.scope) is built from memberships, which this app owns.
        from core.scope import register_scope_loader
        from network.access import load_scope, partner_coordinators
        from partners.overseers import register_overseer_finder

        register_scope_loader(load_scope)
        # Changes to a partner's staff are told to the coordinators of its networks.
        register_overseer_finder(partner_coordinators)
