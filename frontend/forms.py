"""Forms parse and show input; the services in partners/ and network/ decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import CooperationAgreement, NetworkMembership
from partners.choices import FundingSource, PartnerFunction, PartnerType, PathStage, StaffRole
from partners.models import Partner, Service
from partners.services import PARTNER_FIELDS, SERVICE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PartnerForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = PARTNER_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class NewPartnerForm(PartnerForm):
    functions = forms.MultipleChoiceField(
        label=_("Functions in the local system"),
        choices=PartnerFunction.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [f for f in SERVICE_FIELDS if f != "partner"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
        }


class MembershipForm(forms.ModelForm):
    functions = forms.MultipleChoiceField(
        label=_("Functions in the local system"),
        choices=PartnerFunction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = NetworkMembership
        fields = [
            "functions",
            "coordinating_person",
            "contact_name",
            "contact_phone",
            "contact_email",
            "since",
            "until",
        ]
        widgets = {"since": DateInput(), "until": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from partners.models import User

        partner_id = self.instance.partner_id
        field = self.fields["coordinating_person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            staff_memberships__partner_id=partner_id, staff_memberships__is_active=True
        ).order_by("last_name", "first_name")


class AgreementForm(forms.ModelForm):
    funding_sources = forms.MultipleChoiceField(
        label=_("Funding sources"), choices=FundingSource.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    document = forms.FileField(label=_("Signed document (PDF, JPEG or PNG, up to 10 MB)"), required=False)

    class Meta:
        model = CooperationAgreement
        fields = [
            "title",
            "procedures",
            "communication_means",
            "contact_persons",
            "funding_sources",
            "valid_from",
            "valid_to",
            "signed_on",
            "changes",
        ]
        widgets = {
            "signed_on": DateInput(),
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "procedures": forms.Textarea(attrs={"rows": 4}),
            "communication_means": forms.Textarea(attrs={"rows": 3}),
            "contact_persons": forms.Textarea(attrs={"rows": 3}),
        }


class StaffAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("A new account gets a link to set its password.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices, initial=StaffRole.STAFF)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)


class StaffChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("any category")), *PathStage.choices]
    )
    type = forms.ChoiceField(
        label=_("Partner type"), required=False, choices=[("", _("any type")), *PartnerType.choices]
    )
    free = forms.BooleanField(label=_("Only with free places now"), required=False)


class AgreementAddForm(forms.Form):
    """A new version of the cooperation agreement, or an annex to one of its versions (``amends``)."""

    amends = forms.ModelChoiceField(
        label=_("Annex to version"),
        queryset=CooperationAgreement.objects.none(),
        required=False,
        empty_label=_("— none: a new version of the agreement —"),
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput(), required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput(), required=False)
    changes = forms.CharField(label=_("What it changes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    document = forms.FileField(label=_("Signed document (PDF, JPEG or PNG, up to 10 MB)"), required=False)

    def __init__(self, *args: Any, network: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["amends"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = network.agreements.versions().order_by("valid_from")
