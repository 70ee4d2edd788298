from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        # Withdrawing a consent or closing a case revokes what depended on it, in the same transaction.
        from network import people_services
        from referrals.access import on_case_closed, on_consent_withdrawn

        if on_consent_withdrawn not in people_services.CONSENT_WITHDRAWN_HOOKS:
            people_services.CONSENT_WITHDRAWN_HOOKS.append(on_consent_withdrawn)
        if on_consent_withdrawn not in people_services.CONSENT_RECORDED_HOOKS:
            people_services.CONSENT_RECORDED_HOOKS.append(on_consent_withdrawn)
        if on_case_closed not in people_services.CASE_CLOSED_HOOKS:
            people_services.CASE_CLOSED_HOOKS.append(on_case_closed)
        # Permission ids are cached per process; a flush or migrate (tests) re-creates them with new ids.
        from django.db.models.signals import post_migrate

        post_migrate.connect(_forget_permission_ids, dispatch_uid="referrals-permission-ids")


def _forget_permission_ids(**kwargs: object) -> None:
    from referrals.access import permission_id

    permission_id.cache_clear()
