from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import grants, jobs
        from people.export import register_section
        from referrals.access import register_policies, resync_consent_dates
        from referrals.deadlines import alert_overdue, appointment_reminders, remind_half_time_due
        from referrals.export import referrals_section

        # The referral and person grant tables follow referral state (core.grants writes them; access_check walks them).
        register_policies()
        # Referrals stop or narrow when a consent ends, and are explained in "who can see this person".
        from people.shares import ShareKeeper, register
        from referrals.access import explain_person_shares, merge_referrals
        from referrals.services import anonymise_referrals, before_anonymise, stop_uncovered

        register(
            ShareKeeper(
                name="referrals",
                stop=stop_uncovered,
                explain=explain_person_shares,
                before_anonymise=before_anonymise,
                anonymise=anonymise_referrals,
                merge=merge_referrals,
                order=100,
            )
        )
        # The person's data export lists the referrals: to whom their data went (people/ cannot import us).
        register_section("referrals", referrals_section)
        # Safety nets: each referral has its own jobs at its moments (referrals/tasks.py); these sweeps catch a miss.
        jobs.register("overdue referrals", alert_overdue)
        jobs.register("half-time reminders", remind_half_time_due)
        jobs.register("consents starting or ending by date", resync_consent_dates)
        # The person who agreed to messages is reminded of a first appointment the day before (issue 18).
        jobs.register("first appointment reminders", appointment_reminders)
        # Permission ids are cached per process; a flush or migrate (tests) re-creates them with new ids.
        post_migrate.connect(grants.forget_permission_ids, dispatch_uid="core-permission-ids")
