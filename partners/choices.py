"""Taxonomies users read (shared/GLOSSARY.md): partner types, sectors, functions, funding sources, stages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerType(models.TextChoices):
    PSYCHIATRIC_HOSPITAL = "psychiatric_hospital", _("psychiatric hospital / ward")
    CZP = "czp", _("community mental-health centre (CZP)")
    MENTAL_HEALTH_CLINIC = "mental_health_clinic", _("mental health clinic")
    SDS = "sds", _("community self-help home (ŚDS)")
    OPS = "ops", _("social assistance centre (OPS / MOPS / MOPR / GOPS)")
    CUS = "cus", _("social services centre (CUS)")
    PCPR = "pcpr", _("county family support centre (PCPR)")
    PUP = "pup", _("county labour office (PUP)")
    PFRON = "pfron", _("PFRON branch")
    WTZ = "wtz", _("occupational therapy workshop (WTZ)")
    ZAZ = "zaz", _("vocational activity establishment (ZAZ)")
    CIS_KIS = "cis_kis", _("social integration centre / club (CIS / KIS)")
    SOCIAL_COOPERATIVE = "social_cooperative", _("social cooperative / social enterprise")
    OWES = "owes", _("social economy support centre (OWES)")
    NGO = "ngo", _("association / foundation")
    CRISIS_INTERVENTION = "crisis_intervention", _("crisis intervention centre / point")
    TRAINING_PROVIDER = "training_provider", _("training provider")
    HOUSING = "housing", _("training / supported flats")
    EMPLOYER = "employer", _("employer")
    OTHER = "other", _("other")


class Sector(models.TextChoices):
    GOVERNMENT = "government", _("government administration")
    LOCAL_GOVERNMENT = "local_government", _("local government")
    SOCIAL = "social", _("social organisation")
    EMPLOYER = "employer", _("employer")


class PartnerFunction(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("diagnosis of abilities and skills")
    COMMUNITY_SUPPORT = "community_support", _("community support")
    THERAPY = "therapy", _("therapy and treatment")
    LEGAL_ADVICE = "legal_advice", _("legal advice")
    SOCIAL_MATTERS = "social_matters", _("social and living matters")
    VOCATIONAL_TRAINING = "vocational_training", _("vocational training")
    EMPLOYMENT = "employment", _("employment")
    HOUSING = "housing", _("housing")
    CARE_SERVICES = "care_services", _("care services")
    CRISIS_INTERVENTION = "crisis_intervention", _("crisis intervention")
    COORDINATION = "coordination", _("coordination")


class FundingSource(models.TextChoices):
    MUNICIPAL_BUDGET = "municipal_budget", _("municipal budget")
    COUNTY_BUDGET = "county_budget", _("county budget")
    VOIVODESHIP_BUDGET = "voivodeship_budget", _("voivodeship budget")
    VOIVODE_GRANT = "voivode_grant", _("voivode's grant")
    PFRON = "pfron", _("PFRON")
    LABOUR_FUND = "labour_fund", _("Labour Fund")
    SOLIDARITY_FUND = "solidarity_fund", _("Solidarity Fund")
    ESF_PLUS = "esf_plus", _("ESF+")
    NFZ = "nfz", _("NFZ")
    OWN_FUNDS = "own_funds", _("own funds")
    OTHER = "other", _("other")


class PathStage(models.TextChoices):
    """Default stages of a person's path; a network may rename and reorder them."""

    INTAKE = "intake", _("intake and diagnosis of abilities")
    COMMUNITY_SUPPORT = "community_support", _("community support")
    THERAPY = "therapy", _("therapy and treatment")
    LEGAL_SOCIAL = "legal_social", _("legal and social matters")
    VOCATIONAL = "vocational", _("vocational activation")
    SUPPORTED_EMPLOYMENT = "supported_employment", _("supported employment")
    INDEPENDENCE = "independence", _("independence")


class StaffRole(models.TextChoices):
    STAFF = "staff", _("partner staff")
    ADMIN = "admin", _("partner admin")
    JOB_COACH = "job_coach", _("job coach")


class StaffStatus(models.TextChoices):
    """Where a staff membership stands. Only an active one puts the user in the partner's group and scope."""

    PENDING = "pending", _("invited, waiting for their answer")
    ACTIVE = "active", _("active")
    DECLINED = "declined", _("invitation declined")
    ENDED = "ended", _("ended")


# The moves a membership may make (one service function each in partners/services.py). An existing account
# joins a partner only through PENDING, by its own confirmation; the operator may set up an active one at once.
STAFF_TRANSITIONS: dict[str, frozenset[str]] = {
    StaffStatus.PENDING: frozenset({StaffStatus.ACTIVE, StaffStatus.DECLINED, StaffStatus.ENDED}),
    StaffStatus.ACTIVE: frozenset({StaffStatus.ENDED}),
    StaffStatus.DECLINED: frozenset({StaffStatus.PENDING, StaffStatus.ACTIVE}),
    StaffStatus.ENDED: frozenset({StaffStatus.PENDING, StaffStatus.ACTIVE}),
}


class StaffEventAction(models.TextChoices):
    ADDED = "added", _("added to the staff")
    INVITED = "invited", _("invited to the staff")
    CONFIRMED = "confirmed", _("confirmed the invitation")
    DECLINED = "declined", _("declined the invitation")
    ROLE_CHANGED = "role_changed", _("role changed")
    DEACTIVATED = "deactivated", _("deactivated")
    REACTIVATED = "reactivated", _("active again")
