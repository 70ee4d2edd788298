from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, Service
from people.models import DataCategory, Person
from referrals.choices import CHOSEN_REASONS, OutcomeCode, Priority, ReasonOrigin
from referrals.selectors import referral_recipients, referral_services


class ReferForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("no specific service"),
    )
    to_partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Data shared with the partner"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[DataCategory.IDENTITY],
        required=False,
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    due_by = forms.DateTimeField(
        label=_("Answer due by"),
        required=False,
        help_text=_("Empty: the network's usual time for this priority."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis, if there is no consent (coordinator only)"),
        max_length=255,
        required=False,
        help_text=_("The provision that allows sharing without consent, e.g. of the social assistance act."),
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same selectors the service validates against: the page offers exactly what it accepts.
        partner_field, service_field = self.fields["to_partner"], self.fields["service"]
        assert isinstance(partner_field, forms.ModelChoiceField) and isinstance(service_field, forms.ModelChoiceField)
        partner_field.queryset = referral_recipients(person.network_id)
        service_field.queryset = referral_services(person.network_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service = data.get("service")
        if service is not None and data.get("to_partner") is None:
            data["to_partner"] = service.partner
            self.errors.pop("to_partner", None)
        return data


class ReasonForm(forms.Form):
    # Radio buttons with none chosen: the person picks the reason; the page never suggests one.
    reason_code = forms.ChoiceField(label=_("Reason"), choices=CHOSEN_REASONS, widget=forms.RadioSelect)
    reason_origin = forms.ChoiceField(
        label=_("The reason came from"), choices=ReasonOrigin.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class AcceptForm(forms.Form):
    first_appointment_at = forms.DateTimeField(
        label=_("First appointment (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class OutcomeForm(forms.Form):
    outcome_code = forms.ChoiceField(label=_("Outcome"), choices=OutcomeCode.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DiscontinueForm(ReasonForm):
    outcome_code = forms.ChoiceField(label=_("Outcome"), choices=OutcomeCode.choices, widget=forms.RadioSelect)


class RedirectForm(forms.Form):
    to_partner = forms.ModelChoiceField(label=_("New partner"), queryset=Partner.objects.none())
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("no specific service")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, network_id: Any, exclude: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field, service_field = self.fields["to_partner"], self.fields["service"]
        assert isinstance(partner_field, forms.ModelChoiceField) and isinstance(service_field, forms.ModelChoiceField)
        partner_field.queryset = referral_recipients(network_id).exclude(pk=exclude)
        service_field.queryset = referral_services(network_id).exclude(partner_id=exclude)


class InboxFilterForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("incoming", _("incoming")), ("outgoing", _("outgoing")), ("", _("all I can see"))],
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    partner = forms.ModelChoiceField(
        label=_("Partner (sending or receiving)"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("any partner"),
    )
    q = forms.CharField(label=_("Person"), required=False, max_length=100, help_text=_("First or last name."))
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("", ""), ("sent", ""), ("-sent", ""), ("due", ""), ("-due", "")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from referrals.choices import State

        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("any status")), *State.choices]
        partner_field = self.fields["partner"]
        assert isinstance(partner_field, forms.ModelChoiceField)
        if partners is not None:
            partner_field.queryset = partners
