"""Bulk import of partners and services: file formats, matching on re-import, per-row errors, all or nothing,
the management command and the page's permissions."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.errors import PermissionDenied
from network.importing import MAX_BYTES, ImportKind, ImportResult, import_file
from network.models import NetworkMembership
from partners.models import Partner, Service

pytestmark = pytest.mark.django_db

PARTNER_HEADER = ["name", "short_name", "type", "sector", "regon", "nip", "postal_code", "city", "functions"]
SERVICE_HEADER = ["partner_regon", "partner_name", "partner_postal_code", "name", "category", "capacity", "waitlist"]


def regon(first8: str) -> str:
    """A 9-digit REGON with a valid check digit."""
    total = sum(int(d) * w for d, w in zip(first8, (8, 9, 2, 3, 4, 5, 6, 7), strict=True))
    return first8 + str(total % 11 % 10)


def nip(first9: str) -> str:
    total = sum(int(d) * w for d, w in zip(first9, (6, 5, 7, 2, 3, 4, 5, 6, 7), strict=True))
    assert total % 11 != 10, "pick other digits: this prefix has no valid NIP"
    return first9 + str(total % 11)


def bad_checksum(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


REGON_A = regon("27100000")
REGON_B = regon("27200000")
NIP_A = nip("645100000")


def csv_file(rows: list[list[Any]], delimiter: str = ";", bom: bool = False) -> bytes:
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def xlsx_file(sheets: dict[str, list[list[Any]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def partner_rows() -> list[list[Any]]:
    return [
        PARTNER_HEADER,
        [
            "Centrum Integracji Społecznej",
            "CIS",
            "cis_kis",
            "social",
            REGON_A,
            NIP_A,
            "41-940",
            "Piekary",
            "employment",
        ],
        [
            "Poradnia Zdrowia Psychicznego",
            "",
            "mental_health_clinic",
            "local_government",
            REGON_B,
            "",
            "41-940",
            "",
            "therapy",
        ],
    ]


def run(world: Any, data: bytes, kind: ImportKind = ImportKind.PARTNERS, **kwargs: Any) -> ImportResult:
    return import_file(actor=world.coordinator, network=world.network, upload=data, kind=kind, **kwargs)


def counts() -> tuple[int, int, int]:
    return Partner.objects.count(), Service.objects.count(), NetworkMembership.objects.count()


def only_error(result: ImportResult) -> Any:
    assert len(result.errors) == 1, result.error_lines()
    return result.errors[0]


# --- formats --------------------------------------------------------------------------------------


def test_it_imports_partners_from_a_csv_with_polish_headers_and_labels(world: Any) -> None:
    data = csv_file(
        [
            ["Nazwa", "Typ", "Sektor", "REGON", "NIP", "Kod pocztowy", "Miejscowość", "Strona WWW", "Funkcje"],
            [
                "Miejski Ośrodek Pomocy Społecznej w Brzezinach",
                "MOPS",
                "samorząd",
                REGON_A,
                f"PL {NIP_A[:3]}-{NIP_A[3:6]}-{NIP_A[6:8]}-{NIP_A[8:]}",
                "41-946",
                "Piekary Śląskie",
                "www.mops.example.pl",
                "sprawy socjalne i bytowe, usługi opiekuńcze",
            ],
        ],
        bom=True,
    )

    result = run(world, data)

    assert result.ok, result.error_lines()
    assert (result.partners_created, result.partners_updated) == (1, 0)
    partner = Partner.objects.get(regon=REGON_A)
    assert (partner.type, partner.sector, partner.nip) == ("ops", "local_government", NIP_A)
    assert partner.postal_code == "41-946" and partner.website == "https://www.mops.example.pl"
    membership = NetworkMembership.objects.get(network=world.network, partner=partner)
    assert membership.functions == ["social_matters", "care_services"]


def test_it_imports_a_comma_separated_csv_with_codes(world: Any) -> None:
    before = counts()

    result = run(world, csv_file(partner_rows(), delimiter=","))

    assert result.ok, result.error_lines()
    assert result.partners_created == 2
    assert counts() == (before[0] + 2, before[1], before[2] + 2)
    assert Partner.objects.get(regon=REGON_B).type == "mental_health_clinic"


def test_it_imports_partners_and_services_from_a_two_sheet_xlsx(world: Any) -> None:
    leading_zero = regon("01234567")
    data = xlsx_file(
        {
            "Partnerzy": [
                ["nazwa", "typ", "sektor", "regon", "kod pocztowy", "funkcje"],
                # Numbers as Excel stores them: the REGON loses its leading zero, the postal code its hyphen.
                [
                    "Klub Integracji Społecznej",
                    "KIS",
                    "organizacja społeczna",
                    int(leading_zero),
                    41940,
                    "zatrudnienie",
                ],
            ],
            "Usługi": [
                ["regon partnera", "nazwa partnera", "kod pocztowy partnera", "nazwa", "kategoria", "liczba miejsc"],
                [int(leading_zero), "", "", "Reintegracja zawodowa", "aktywizacja zawodowa", 12],
                ["", "mopr piekary", "41-940", "Mieszkanie treningowe", "independence", None],
            ],
        }
    )

    result = run(world, data)

    assert result.ok, result.error_lines()
    assert (result.partners_created, result.services_created) == (1, 2)
    kis = Partner.objects.get(regon=leading_zero)
    assert kis.postal_code == "41-940"
    assert kis.services.get().capacity == 12
    service = world.receiving.services.get(name="Mieszkanie treningowe")
    assert service.category == "independence" and service.capacity is None and service.waitlist_enabled


def test_it_reads_the_first_sheet_of_a_workbook_as_the_chosen_kind(world: Any) -> None:
    data = xlsx_file({"Arkusz1": [SERVICE_HEADER, ["", "MOPR Piekary", "41-940", "Porady", "legal_social", 3, "nie"]]})

    result = run(world, data, kind=ImportKind.SERVICES)

    assert result.ok, result.error_lines()
    assert world.receiving.services.get(name="Porady").waitlist_enabled is False


# --- re-import ------------------------------------------------------------------------------------


def test_it_updates_on_reimport_instead_of_duplicating(world: Any) -> None:
    assert run(world, csv_file(partner_rows())).ok
    before = counts()

    again = run(world, csv_file(partner_rows()))

    assert again.ok, again.error_lines()
    assert (again.partners_created, again.partners_updated, again.partners_unchanged) == (0, 0, 2)
    assert counts() == before

    rows = partner_rows()
    rows[1][7] = "Piekary Śląskie"
    rows[2][0] = "PORADNIA ZDROWIA PSYCHICZNEGO dla dorosłych"
    changed = run(world, csv_file(rows))

    assert (changed.partners_created, changed.partners_updated) == (0, 2)
    assert counts() == before
    assert Partner.objects.get(regon=REGON_A).city == "Piekary Śląskie"
    assert Partner.objects.get(regon=REGON_B).name == "PORADNIA ZDROWIA PSYCHICZNEGO dla dorosłych"


def test_it_matches_a_partner_without_regon_on_name_and_postal_code_ignoring_case(world: Any) -> None:
    before = counts()
    data = csv_file(
        [
            ["name", "type", "sector", "postal_code", "phone"],
            ["mopr PIEKARY", "ops", "local_government", "41-940", "32 111 22 33"],
        ]
    )

    result = run(world, data)

    assert result.ok, result.error_lines()
    assert (result.partners_created, result.partners_updated) == (0, 1)
    assert counts() == before
    world.receiving.refresh_from_db()
    assert world.receiving.phone == "32 111 22 33"
    # The name is the file's now; the REGON it did not have is not invented.
    assert world.receiving.name == "mopr PIEKARY" and world.receiving.regon == ""


def test_it_updates_services_on_reimport_and_keeps_their_load(world: Any) -> None:
    rows = [
        SERVICE_HEADER,
        ["", "MOPR Piekary", "41-940", "specjalistyczne USŁUGI opiekuńcze", "community_support", 8, "tak"],
    ]
    before = counts()

    result = run(world, csv_file(rows), kind=ImportKind.SERVICES)

    assert result.ok, result.error_lines()
    assert (result.services_created, result.services_updated) == (0, 1)
    assert counts() == before
    world.service.refresh_from_db()
    assert (world.service.capacity, world.service.load) == (8, 5)


def test_it_adds_a_partner_of_another_network_found_by_regon_to_this_one(world: Any) -> None:
    Partner.objects.filter(pk=world.unrelated.pk).update(regon=REGON_A)
    data = csv_file(
        [
            ["regon", "name", "type", "sector", "functions"],
            [REGON_A, "Stowarzyszenie Bytom", "ngo", "social", "legal_advice"],
        ]
    )

    result = run(world, data)

    assert result.ok, result.error_lines()
    assert (result.partners_created, result.memberships_added) == (0, 1)
    membership = NetworkMembership.objects.get(network=world.network, partner=world.unrelated)
    assert membership.functions == ["legal_advice"] and membership.until is None
    assert NetworkMembership.objects.filter(network=world.other_network, partner=world.unrelated).exists()


def test_it_replaces_a_members_functions_when_the_column_is_given(world: Any) -> None:
    data = csv_file(
        [
            ["name", "postal_code", "type", "sector", "functions"],
            ["MOPR Piekary", "41-940", "ops", "local_government", "coordination"],
        ]
    )

    assert run(world, data).ok

    membership = NetworkMembership.objects.get(network=world.network, partner=world.receiving)
    assert membership.functions == ["coordination"]


def test_it_only_checks_on_a_dry_run(world: Any) -> None:
    before = counts()

    result = run(world, csv_file(partner_rows()), dry_run=True)

    assert result.ok and result.partners_created == 2
    assert counts() == before


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("regon", bad_checksum(REGON_B), "checksum"),
        ("regon", "12345", "invalid"),
        ("nip", bad_checksum(nip("645200000")), "checksum"),
        ("postal_code", "419-40", "invalid"),
        ("type", "szpitalik", "invalid_choice"),
        ("sector", "", "required"),
        ("functions", "employment, gotowanie", "invalid_choice"),
    ],
)
def test_it_reports_a_bad_partner_cell_by_row_and_column_and_saves_nothing(
    world: Any, column: str, value: str, code: str
) -> None:
    rows = partner_rows()
    rows[2][PARTNER_HEADER.index(column)] = value
    before = counts()

    result = run(world, csv_file(rows))

    error = only_error(result)
    assert (error.code, error.row, error.field, error.column) == (code, 3, column, column)
    with translation.override("en"):
        assert str(error).startswith(f"Row 3, column “{column}”: ")
    assert result.created == result.updated == 0
    assert counts() == before


def test_it_wants_a_function_for_a_partner_joining_the_network(world: Any) -> None:
    rows = [["name", "type", "sector"], ["Fundacja Bez Funkcji", "fundacja", "organizacja społeczna"]]

    error = only_error(run(world, csv_file(rows)))

    assert (error.code, error.row, error.field) == ("required", 2, None)


def test_it_says_what_is_wrong_with_a_regon_in_polish(world: Any) -> None:
    rows = partner_rows()
    rows[1][4] = bad_checksum(REGON_A)

    error = only_error(run(world, csv_file(rows)))

    with translation.override("pl"):
        # django-localflavor's own catalogue: independent of the project's translations.
        assert error.text == "Błędna suma kontrolna numeru REGON."
        assert "Błędna suma kontrolna numeru REGON." in str(error)


@pytest.mark.parametrize(
    ("value", "code"), [("-3", "negative"), ("dużo", "not_integer"), ("2.5", "not_integer"), ("4", None)]
)
def test_it_refuses_a_negative_or_non_numeric_capacity(world: Any, value: str, code: str | None) -> None:
    rows = [SERVICE_HEADER, ["", "MOPR Piekary", "41-940", "Nowa usługa", "therapy", value, ""]]
    before = counts()

    result = run(world, csv_file(rows), kind=ImportKind.SERVICES)

    if code is None:
        assert result.ok, result.error_lines()
        return
    error = only_error(result)
    assert (error.code, error.row, error.field) == (code, 2, "capacity")
    assert counts() == before


def test_it_refuses_fewer_places_than_are_taken(world: Any) -> None:
    rows = [SERVICE_HEADER, ["", "MOPR Piekary", "41-940", world.service.name, "community_support", 3, ""]]

    error = only_error(run(world, csv_file(rows), kind=ImportKind.SERVICES))

    assert (error.code, error.field, error.params["load"]) == ("below_load", "capacity", 5)


def test_it_reports_every_bad_row_at_once(world: Any) -> None:
    rows = [
        SERVICE_HEADER,
        ["", "MOPR Piekary", "41-940", "Dobra usługa", "therapy", "2", ""],
        ["", "Nieznana instytucja", "00-950", "Usługa", "therapy", "", ""],
        [REGON_B, "", "", "Porady prawne", "legal_social", "", ""],
        ["", "ŚDS Piekary", "41-940", "", "kategoria?", "1", "może"],
        ["", "MOPR Piekary", "41-940", "dobra   USŁUGA", "therapy", "", ""],
    ]
    before = counts()

    result = run(world, csv_file(rows), kind=ImportKind.SERVICES)

    found = {(e.row, e.field, e.code) for e in result.errors}
    assert found == {
        (3, "partner_name", "partner_not_found"),
        (4, "partner_regon", "partner_not_found"),
        (5, "name", "required"),
        (5, "category", "invalid_choice"),
        (5, "waitlist", "invalid_boolean"),
        (6, None, "duplicate_row"),
    }
    assert counts() == before
    with translation.override("en"):
        assert result.summary().startswith("Errors found: 6.")


def test_it_does_not_find_a_partner_of_another_network_for_a_service(world: Any) -> None:
    Partner.objects.filter(pk=world.unrelated.pk).update(regon=REGON_A)
    rows = [SERVICE_HEADER, [REGON_A, "", "", "Porady", "legal_social", "", ""]]

    error = only_error(run(world, csv_file(rows), kind=ImportKind.SERVICES))

    assert (error.code, error.field) == ("partner_not_found", "partner_regon")
    with translation.override("en"):
        assert str(error) == "Row 2, column “partner_regon”: No partner of this network has this REGON."


def test_it_refuses_the_same_partner_twice_in_one_file(world: Any) -> None:
    rows = [*partner_rows(), ["Inna nazwa", "", "ngo", "social", REGON_A, "", "", "", "therapy"]]

    error = only_error(run(world, csv_file(rows)))

    assert (error.code, error.row, error.params["row"]) == ("duplicate_row", 4, 2)


def test_it_refuses_unknown_columns_naming_them(world: Any) -> None:
    rows = [["name", "type", "sector", "ulubiony kolor", "pesel"], ["X", "ngo", "social", "zielony", "1"]]
    before = counts()

    result = run(world, csv_file(rows))

    error = only_error(result)
    assert error.code == "unknown_columns" and error.row is None
    assert "“ulubiony kolor”" in error.params["columns"] and "“pesel”" in error.params["columns"]
    assert counts() == before


def test_it_refuses_a_file_without_the_required_columns(world: Any) -> None:
    error = only_error(run(world, csv_file([["nazwa", "miasto"], ["X", "Y"]])))

    assert error.code == "missing_columns"
    assert error.params["columns"] == "type, sector"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "not_a_spreadsheet"),
        ("nazwa;typ\nOśrodek;ops\n".encode("cp1250"), "not_a_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "xls"),
        (b"", "empty"),
    ],
)
def test_it_refuses_a_file_that_is_neither_csv_nor_xlsx(world: Any, data: bytes, code: str) -> None:
    error = only_error(run(world, data))

    assert error.code == code


def test_it_refuses_a_zip_that_is_not_a_workbook(world: Any) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "nie arkusz")

    error = only_error(run(world, out.getvalue()))

    assert error.code == "not_xlsx"


def test_it_refuses_a_file_over_the_limit(world: Any) -> None:
    error = only_error(run(world, b"a" * (MAX_BYTES + 1)))

    assert error.code == "too_large"


def test_it_rolls_everything_back_when_a_write_fails_half_way(world: Any, monkeypatch: Any) -> None:
    from network import directory as services

    real = services.service_create
    calls = {"n": 0}

    def failing_second(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ValidationError({"name": "Odmowa."})
        return real(**kwargs)

    monkeypatch.setattr(services, "service_create", failing_second)
    data = xlsx_file(
        {
            "partners": partner_rows(),
            "services": [
                SERVICE_HEADER,
                [REGON_A, "", "", "Pierwsza", "vocational", 2, ""],
                [REGON_B, "", "", "Druga", "therapy", 2, ""],
            ],
        }
    )
    before = counts()

    result = run(world, data)

    error = only_error(result)
    assert (error.sheet, error.row, error.field) == ("services", 3, "name")
    assert counts() == before
    assert not Partner.objects.filter(regon__in=[REGON_A, REGON_B]).exists()


def test_it_lets_only_the_networks_coordinators_import(world: Any) -> None:
    for user in (world.receiving_admin, world.other_coordinator, world.monitor):
        with pytest.raises(PermissionDenied):
            import_file(actor=user, network=world.network, upload=csv_file(partner_rows()))
    assert not Partner.objects.filter(regon=REGON_A).exists()


def test_it_keeps_the_spreadsheet_row_numbers_past_blank_lines(world: Any) -> None:
    rows = partner_rows()
    rows[2][PARTNER_HEADER.index("type")] = "?"
    rows.insert(2, [""] * len(PARTNER_HEADER))

    error = only_error(run(world, csv_file(rows)))

    assert (error.row, error.field) == (4, "type")


def test_it_names_the_sheet_of_a_workbook_in_the_errors(world: Any) -> None:
    rows = partner_rows()
    rows[1][PARTNER_HEADER.index("nip")] = "123"

    error = only_error(run(world, xlsx_file({"partnerzy": rows, "usługi": [SERVICE_HEADER]})))

    with translation.override("en"):
        assert str(error).startswith("Sheet “partnerzy”, row 2, column “nip”: ")


def test_it_imports_a_workbook_whose_services_sheet_is_left_blank(world: Any) -> None:
    result = run(world, xlsx_file({"partners": partner_rows(), "services": []}))

    assert result.ok, result.error_lines()
    assert result.partners_created == 2


def test_it_finds_a_partner_renamed_in_the_same_workbook_by_its_old_name(world: Any) -> None:
    Partner.objects.filter(pk=world.receiving.pk).update(regon=REGON_A)
    data = xlsx_file(
        {
            "partnerzy": [["regon", "nazwa", "typ", "sektor"], [REGON_A, "MOPR w Piekarach", "ops", "samorząd"]],
            "usługi": [
                ["nazwa partnera", "kod pocztowy partnera", "nazwa", "kategoria"],
                ["MOPR Piekary", "41-940", "Klub", "intake"],
            ],
        }
    )

    result = run(world, data)

    assert result.ok, result.error_lines()
    assert (result.partners_updated, result.services_created) == (1, 1)
    assert world.receiving.services.filter(name="Klub").exists()


def test_it_refuses_a_header_without_rows(world: Any) -> None:
    error = only_error(run(world, csv_file([PARTNER_HEADER])))

    assert error.code == "no_rows"


# --- the management command -----------------------------------------------------------------------


def test_the_command_imports_a_file(world: Any, tmp_path: Any) -> None:
    path = tmp_path / "partnerzy.csv"
    path.write_bytes(csv_file(partner_rows()))
    out = io.StringIO()

    call_command("import_partners", str(path), network=str(world.network.pk), username="koordynator", stdout=out)

    assert Partner.objects.filter(regon__in=[REGON_A, REGON_B]).count() == 2


def test_the_command_imports_services(world: Any, tmp_path: Any) -> None:
    path = tmp_path / "uslugi.csv"
    path.write_bytes(csv_file([SERVICE_HEADER, ["", "ŚDS Piekary", "41-940", "Klub", "community_support", "", ""]]))

    call_command(
        "import_partners",
        str(path),
        "--services",
        network=str(world.network.pk),
        username="koordynator",
        stdout=io.StringIO(),
    )

    assert world.sending.services.filter(name="Klub").exists()


def test_the_command_prints_the_errors_and_fails(world: Any, tmp_path: Any) -> None:
    rows = partner_rows()
    rows[2][4] = bad_checksum(REGON_B)
    path = tmp_path / "partnerzy.csv"
    path.write_bytes(csv_file(rows))
    err = io.StringIO()
    before = counts()

    with pytest.raises(CommandError):
        call_command(
            "import_partners",
            str(path),
            network=str(world.network.pk),
            username="koordynator",
            language="en",
            stderr=err,
            stdout=io.StringIO(),
        )

    assert "Row 3, column “regon”: Wrong checksum" in err.getvalue()
    assert counts() == before


def test_the_command_refuses_a_user_who_does_not_coordinate_the_network(world: Any, tmp_path: Any) -> None:
    path = tmp_path / "partnerzy.csv"
    path.write_bytes(csv_file(partner_rows()))

    with pytest.raises(CommandError):
        call_command("import_partners", str(path), network=str(world.network.pk), username="koordynator-bytom")
    with pytest.raises(CommandError):
        call_command("import_partners", str(path), network="not-a-uuid", username="koordynator")


# --- the page -------------------------------------------------------------------------------------


def url(world: Any) -> str:
    return reverse("network-import", args=[world.network.pk])


def upload(data: bytes, name: str = "partnerzy.csv", kind: str = "partners", **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "file": SimpleUploadedFile(name, data), **extra}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("receiving_staff", 403),
        ("receiving_admin", 403),
        ("monitor", 403),
        ("other_coordinator", 404),
        ("unrelated_staff", 404),
    ],
)
def test_the_page_is_for_the_networks_coordinators(client: Client, world: Any, persona: str, status: int) -> None:
    client.force_login(world.personas()[persona])

    assert client.get(url(world)).status_code == status
    response = client.post(url(world), upload(csv_file(partner_rows())))
    assert response.status_code == (302 if status == 200 else status)
    assert Partner.objects.filter(regon=REGON_A).exists() == (status == 200)


def test_the_page_sends_anonymous_users_to_sign_in(client: Client, world: Any) -> None:
    response = client.get(url(world))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_documents_the_columns(client: Client, world: Any) -> None:
    client.force_login(world.coordinator)

    response = client.get(url(world))

    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    for code in ("postal_code", "functions", "partner_regon", "capacity", "funding_source", "kod pocztowy"):
        assert code in body


def test_the_page_imports_and_says_so(client: Client, world: Any) -> None:
    client.force_login(world.coordinator)

    response = client.post(url(world), upload(csv_file(partner_rows())), follow=True)

    assert response.redirect_chain[-1] == (url(world), 302)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert Partner.objects.filter(regon__in=[REGON_A, REGON_B]).count() == 2


def test_the_page_imports_an_xlsx_workbook(client: Client, world: Any) -> None:
    client.force_login(world.coordinator)
    data = xlsx_file({"Arkusz1": [SERVICE_HEADER, ["", "ŚDS Piekary", "41-940", "Trening", "therapy", 5, "tak"]]})

    response = client.post(url(world), upload(data, "uslugi.xlsx", kind="services"))

    assert response.status_code == 302
    assert world.sending.services.get(name="Trening").capacity == 5


def test_the_page_shows_the_errors_per_row_and_keeps_the_form(client: Client, world: Any) -> None:
    client.force_login(world.coordinator)
    rows = partner_rows()
    rows[2][PARTNER_HEADER.index("postal_code")] = "41940x"
    before = counts()

    response = client.post(url(world), upload(csv_file(rows)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["result"].errors] == [(3, "postal_code")]
    body = response.content.decode()
    assert 'role="alert"' in body and 'name="file"' in body
    assert counts() == before


def test_the_page_refuses_other_files(client: Client, world: Any) -> None:
    client.force_login(world.coordinator)

    response = client.post(url(world), upload(b"\x89PNG\r\n\x1a\n\x00\x00", "logo.csv"))

    assert response.status_code == 400
    assert [e.code for e in response.context["result"].errors] == ["not_a_spreadsheet"]


def test_the_page_refuses_a_file_over_5_mb_without_storing_it(client: Client, world: Any) -> None:
    client.force_login(world.coordinator)

    response = client.post(url(world), upload(b"x" * (MAX_BYTES + 10)))

    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["too_large"]


def test_the_page_asks_for_a_file(client: Client, world: Any) -> None:
    client.force_login(world.coordinator)

    response = client.post(url(world), {"kind": "partners"})

    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_the_page_checks_the_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)

    response = client.post(url(world), upload(csv_file(partner_rows())))

    assert response.status_code == 403
    assert not Partner.objects.filter(regon=REGON_A).exists()


def test_the_page_shows_a_dry_run_without_importing(client: Client, world: Any) -> None:
    client.force_login(world.coordinator)
    before = counts()

    response = client.post(url(world), upload(csv_file(partner_rows()), dry_run="on"))

    assert response.status_code == 200
    assert response.context["result"].partners_created == 2
    assert counts() == before
