"""Forms for people, consent, the case and the support plan; the services decide and write.

The partners and case managers a form offers come from ``people.selectors``, the lists the services validate
against, so the page offers exactly what the service (and through it the API) accepts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.forms import DateInput
from network.models import Network
from partners.choices import PartnerType
from partners.models import Partner, User
from people.models import PERSON_FIELD_CATEGORIES, DataCategory, GivenBy, GoalStatus, LifeDomain, Person
from people.selectors import SORTS, case_managers, managing_partners, network_partners


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = list(PERSON_FIELD_CATEGORIES)
        widgets = {
            "birth_date": DateInput(),
            "social_situation": forms.Textarea(attrs={"rows": 3}),
            "health_notes": forms.Textarea(attrs={"rows": 3}),
            "skills_experience": forms.Textarea(attrs={"rows": 3}),
            "work_support_needs": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, categories: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if categories is not None:
            # Fields of categories the user may not read are not even rendered.
            for name, category in PERSON_FIELD_CATEGORIES.items():
                if category not in categories:
                    self.fields.pop(name, None)

    def _post_clean(self) -> None:
        # Model validation runs in the service (with cross-field rules); only field parsing happens here.
        pass


class RegisterPersonForm(PersonForm):
    force = forms.BooleanField(
        label=_("Register anyway: this is a different person"), required=False, widget=forms.CheckboxInput
    )


class DoorRegisterForm(RegisterPersonForm):
    """Partner staff register a person who came to their door, with the consent the person gave there."""

    door_partner = forms.ModelChoiceField(label=_("Registered at"), queryset=Partner.objects.none())
    categories = forms.MultipleChoiceField(
        label=_("The person agrees that your institution processes"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[DataCategory.IDENTITY],
        required=False,
    )
    purpose = forms.CharField(
        label=_("Purpose of the consent"),
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("Support in the local cooperation network"),
    )
    given_by = forms.ChoiceField(label=_("Given by"), choices=GivenBy.choices, initial=GivenBy.PERSON)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput(), required=False)
    document = forms.FileField(label=_("Signed document (PDF, JPEG or PNG, up to 10 MB)"), required=False)

    def __init__(self, *args: Any, door_partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["door_partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = door_partners
        if door_partners.count() == 1:
            field.initial = door_partners.first()


class ConsentForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("Data categories"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"), queryset=Partner.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    partner_types = forms.MultipleChoiceField(
        label=_("Or every partner of these types"),
        choices=PartnerType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput(), required=False)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput(), required=False)
    given_by = forms.ChoiceField(label=_("Given by"), choices=GivenBy.choices, initial=GivenBy.PERSON)
    document = forms.FileField(label=_("Signed document (PDF, JPEG or PNG, up to 10 MB)"), required=False)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partners"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = network_partners(network.pk)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class CaseOpenForm(forms.Form):
    managing_partner = forms.ModelChoiceField(
        label=_("Managing partner"), queryset=Partner.objects.none(), required=False
    )
    case_manager = forms.ModelChoiceField(label=_("Case manager"), queryset=User.objects.none(), required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=())

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field = self.fields["managing_partner"]
        manager_field = self.fields["case_manager"]
        stage_field = self.fields["stage"]
        assert isinstance(partner_field, forms.ModelChoiceField) and isinstance(manager_field, forms.ModelChoiceField)
        assert isinstance(stage_field, forms.ChoiceField)
        partner_field.queryset = managing_partners(network.pk)
        manager_field.queryset = case_managers(network.pk)
        stage_field.choices = network.stage_choices()


class TransferForm(CaseOpenForm):
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, network=network, **kwargs)
        del self.fields["stage"]


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=())
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = network.stage_choices()


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Why the case is closed"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason why the case is closed.")},
    )


class GoalForm(forms.Form):
    domain = forms.ChoiceField(label=_("Life domain"), choices=LifeDomain.choices)
    description = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible_partner = forms.ModelChoiceField(
        label=_("Responsible partner"), queryset=Partner.objects.none(), required=False
    )
    target_date = forms.DateField(label=_("Target date"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible_partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = network_partners(network.pk)


class GoalReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reviewed_on = forms.DateField(label=_("Review date"), widget=DateInput(), required=False)


class PeopleFilterForm(forms.Form):
    """The people list's filters; the choices come from ``people_filter_choices``, what the user may see."""

    q = forms.CharField(label=_("Name, PESEL or phone"), required=False, max_length=100)
    network = forms.UUIDField(required=False, widget=forms.HiddenInput)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=())
    case_manager = forms.ChoiceField(label=_("Case manager"), required=False, choices=())
    gmina = forms.ChoiceField(label=_("Municipality"), required=False, choices=())
    unassigned = forms.BooleanField(required=False, label=_("Only cases without a case manager"))
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS], widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("stage", "case_manager", "gmina"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("any")), *choices[name]]
