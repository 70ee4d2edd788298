"""Webhook pages: a partner's (its admins) and a network's (its coordinators), each listing its webhooks with a
form to add one, and a page per webhook with its delivery log and the buttons to test, turn off or on, rotate
the secret and delete. The secret is shown on the page that answers its creation or rotation, and never again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import performs
from core.errors import DomainError
from frontend.errors import as_messages, on_form
from frontend.types import AuthedRequest
from webhooks import services
from webhooks.access import get_subscription_for, managed_networks, managed_partners
from webhooks.choices import EVENT_TYPES, NETWORK_ONLY_KINDS, WILDCARDS, DeliveryStatus
from webhooks.models import Subscription
from webhooks.selectors import deliveries_of


def event_choices(*, network_owner: bool) -> list[tuple[str, Any]]:
    every_label = _("every event of this kind")
    # The event's name is an identifier an integrator's system uses: shown as code, beside its Polish label.
    every = [(name, format_html("<code>{}</code> — {}", name, every_label)) for name in WILDCARDS]
    one = [(name, format_html("<code>{}</code> — {}", name, label)) for name, label in EVENT_TYPES.items()]
    return [
        (name, label)
        for name, label in [*every, *one]
        if network_owner or name.split(".", 1)[0] not in NETWORK_ONLY_KINDS
    ]


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Receiving address"),
        max_length=500,
        help_text=gettext_lazy("An https:// address of your own system, reachable from the internet."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )
    events = forms.MultipleChoiceField(label=gettext_lazy("Events"), widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)

    def __init__(self, *args: Any, network_owner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = self.fields["events"]
        assert isinstance(events, forms.MultipleChoiceField)
        events.choices = event_choices(network_owner=network_owner)


def _owner(request: AuthedRequest, *, partner_id: UUID | None, network_id: UUID | None) -> Any:
    """The partner the user administers or the network they coordinate; 404 for anything else."""
    owner: Any = (
        managed_partners(request.user).filter(pk=partner_id).first()
        if partner_id is not None
        else managed_networks(request.user).filter(pk=str(network_id)).first()
    )
    if owner is None:
        raise Http404
    return owner


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _owner_page(request: AuthedRequest, *, partner_id: UUID | None = None, network_id: UUID | None = None) -> Any:
    owner = _owner(request, partner_id=partner_id, network_id=network_id)
    is_network = network_id is not None
    form = WebhookForm(request.POST or None, network_owner=is_network)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                subscription = services.subscription_create(
                    actor=request.user,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                    partner=None if is_network else owner,
                    network=owner if is_network else None,
                )
            except (ValidationError, DomainError) as exc:
                on_form(form, exc)
            else:
                messages.success(request, _("The webhook was added. Copy its secret now: it is shown only once."))
                return _detail(request, subscription, secret=subscription.secret, status=201)
        status = 400
    subscriptions = Subscription.objects.filter(**({"network": owner} if is_network else {"partner": owner}))
    context = {"owner": owner, "is_network": is_network, "form": form, "subscriptions": subscriptions}
    return _private(render(request, "webhooks/list.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
@performs(services.subscription_create)
def partner_webhooks(request: AuthedRequest, partner_id: UUID) -> HttpResponse:
    return _owner_page(request, partner_id=partner_id)


@login_required
@require_http_methods(["GET", "POST"])
@performs(services.subscription_create)
def network_webhooks(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    return _owner_page(request, network_id=network_id)


def _detail(request: AuthedRequest, subscription: Subscription, *, secret: str = "", status: int = 200) -> Any:
    wanted = request.GET.get("status", "")
    if wanted not in DeliveryStatus.values:
        wanted = ""
    page = Paginator(deliveries_of(subscription, status=wanted), 50).get_page(request.GET.get("page"))
    context = {
        "subscription": subscription,
        "owner": subscription.partner or subscription.network,
        "is_network": subscription.network_id is not None,
        "secret": secret,
        "deliveries": page,
        "status_choices": DeliveryStatus.choices,
        "wanted": wanted,
    }
    return _private(render(request, "webhooks/detail.html", context, status=status))


@login_required
@require_safe
def webhook_detail(request: AuthedRequest, webhook_id: UUID) -> HttpResponse:
    return _detail(request, get_subscription_for(request.user, webhook_id))


@login_required
@require_POST
@performs(
    services.subscription_rotate_secret,
    services.subscription_disable,
    services.subscription_enable,
    services.subscription_ping,
    services.subscription_delete,
)
def webhook_action(request: AuthedRequest, webhook_id: UUID, action: str) -> HttpResponse:
    subscription = get_subscription_for(request.user, webhook_id)
    try:
        if action == "rotate":
            rotated = services.subscription_rotate_secret(actor=request.user, subscription=subscription)
            messages.success(request, _("A new secret was made; the old one no longer signs. Copy it now."))
            return _detail(request, rotated, secret=rotated.secret)
        if action == "disable":
            services.subscription_disable(actor=request.user, subscription=subscription)
            messages.success(request, _("The webhook is turned off."))
        elif action == "enable":
            services.subscription_enable(actor=request.user, subscription=subscription)
            messages.success(request, _("The webhook is on again."))
        elif action == "test":
            delivery = services.subscription_ping(actor=request.user, subscription=subscription)
            if delivery.status == DeliveryStatus.DELIVERED:
                messages.success(request, _("The test event was delivered."))
            else:
                messages.error(
                    request,
                    _("The test event was not delivered: %(error)s. It will be retried.")
                    % {"error": delivery.last_error},
                )
        elif action == "delete":
            owner_url = (
                ("network-webhooks", subscription.network_id)
                if subscription.network_id
                else ("partner-webhooks", subscription.partner_id)
            )
            services.subscription_delete(actor=request.user, subscription=subscription)
            messages.success(request, _("The webhook was deleted."))
            return redirect(*owner_url)
        else:
            raise Http404
    except (ValidationError, DomainError) as exc:
        as_messages(request, exc)
    return redirect("webhook-detail", subscription.pk)
