"""factory_boy factories. Partners and networks get their groups as the services would create them."""

from __future__ import annotations

import datetime
import uuid

import factory
from django.contrib.auth.models import Group

from network.models import CooperationAgreement, Network, NetworkCoordinator, NetworkMembership
from partners.choices import PartnerType, PathStage, Sector, StaffRole
from partners.models import Partner, Service, StaffMembership, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Jan"
    last_name = factory.Sequence(lambda n: f"Testowy{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("secret-pass-123")


class PartnerFactory(factory.django.DjangoModelFactory[Partner]):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Instytucja {n}")
    type = PartnerType.NGO
    sector = Sector.SOCIAL
    street = "ul. Główna 1"
    postal_code = "41-940"
    city = "Piekary Śląskie"
    email = factory.Sequence(lambda n: f"biuro{n}@instytucja.example.org")
    group = factory.LazyFunction(lambda: Group.objects.create(name=f"partner:{uuid.uuid4()}"))


class NetworkFactory(factory.django.DjangoModelFactory[Network]):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Lokalny system {n}")
    teryt = "2462011"
    territory_name = "Piekary Śląskie"
    start_date = datetime.date(2025, 1, 1)
    coordinators_group = factory.LazyFunction(lambda: Group.objects.create(name=f"network-coordinators:{uuid.uuid4()}"))


class MembershipFactory(factory.django.DjangoModelFactory[NetworkMembership]):
    class Meta:
        model = NetworkMembership

    network = factory.SubFactory(NetworkFactory)
    partner = factory.SubFactory(PartnerFactory)
    functions = factory.LazyFunction(lambda: ["community_support"])
    since = datetime.date(2025, 1, 1)


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Usługa {n}")
    category = PathStage.COMMUNITY_SUPPORT
    capacity = 10
    load = 0


class AgreementFactory(factory.django.DjangoModelFactory[CooperationAgreement]):
    class Meta:
        model = CooperationAgreement

    network = factory.SubFactory(NetworkFactory)
    title = "Porozumienie o współpracy"
    procedures = "Spotkania partnerów raz w miesiącu."
    communication_means = "E-mail, telefon, spotkania."
    contact_persons = "Koordynator: Katarzyna Nowak"
    funding_sources = factory.LazyFunction(lambda: ["municipal_budget", "pfron"])
    valid_from = datetime.date(2025, 1, 1)


def make_staff(partner: Partner, role: str = StaffRole.STAFF, **user_kwargs: object) -> User:
    user = UserFactory.create(**user_kwargs)
    StaffMembership.objects.create(user=user, partner=partner, role=role)
    user.groups.add(partner.group)
    return user


def make_coordinator(network: Network, **user_kwargs: object) -> User:
    user = UserFactory.create(**user_kwargs)
    NetworkCoordinator.objects.create(network=network, user=user)
    user.groups.add(network.coordinators_group)
    return user


def api_token(user: User) -> str:
    """A new API token for the user: knox keeps only its hash, so this is the one chance to see it."""
    from knox.models import AuthToken

    return AuthToken.objects.create(user=user)[1]
