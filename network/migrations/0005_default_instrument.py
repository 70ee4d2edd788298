"""The default assessment instrument, written for this project: everyday functioning in ten areas of life.

The text is original to LSW (not adapted from CAN/CANSAS, WHODAS 2.0, HoNOS, GAF, PSP or the Recovery Star,
whose owners restrict reuse). It is copied here rather than imported from app code so that the migration keeps
working whatever later happens to the app's modules. Level 1 = needs help with nearly everything in the area,
level 5 = manages on their own.
"""

from django.db import migrations

CODE = "lsw-codzienne-funkcjonowanie"

INSTRUMENT = {
    "code": CODE,
    "name_pl": "Codzienne funkcjonowanie (LSW)",
    "name_en": "Everyday functioning (LSW)",
    "description_pl": (
        "Narzędzie opracowane dla lokalnego systemu współdziałania. Opisuje dziesięć obszarów codziennego życia; "
        "w każdym wybiera się jeden z pięciu poziomów: od 1 (potrzebuje pomocy niemal we wszystkim) do 5 (radzi "
        "sobie samodzielnie). Poziom ustala się w rozmowie z osobą wspieraną, na podstawie ostatniego miesiąca. "
        "Wynik służy planowaniu wsparcia i pokazuje zmiany w czasie; nie jest diagnozą."
    ),
    "description_en": (
        "An instrument written for the local cooperation network. It describes ten areas of everyday life; in "
        "each one of five levels is chosen, from 1 (needs help with nearly everything) to 5 (manages on their "
        "own). The level is agreed in a conversation with the person supported and looks at the last month. "
        "The result helps plan support and shows change over time; it is not a diagnosis."
    ),
    "scale_min": 1,
    "scale_max": 5,
}

# (code, name_pl, name_en, [(description_pl, description_en) for levels 1..5])
DOMAINS = [
    (
        "self_care",
        "Dbanie o siebie",
        "Self-care",
        [
            (
                "Potrzebuje pomocy przy prawie wszystkich codziennych czynnościach: myciu się, ubieraniu, "
                "jedzeniu, przyjmowaniu leków.",
                "Needs help with nearly all daily tasks: washing, dressing, eating, taking medicines.",
            ),
            (
                "Część czynności wykonuje sam, ale bez codziennego przypominania lub pomocy zaniedbuje higienę, "
                "posiłki albo leki.",
                "Does some tasks alone, but without daily reminders or help lets hygiene, meals or medicines slip.",
            ),
            (
                "Na co dzień radzi sobie z higieną i posiłkami; w gorszych okresach potrzebuje przypomnienia "
                "lub wsparcia.",
                "Copes with hygiene and meals day to day; in harder periods needs reminders or support.",
            ),
            (
                "Dba o siebie sam; czasem korzysta z rady lub przypomnienia, np. o wizycie albo o lekach.",
                "Looks after themselves; now and then uses advice or a reminder, e.g. about an appointment or "
                "medicines.",
            ),
            (
                "Samodzielnie dba o higienę, ubiór, posiłki, sen i leki.",
                "Takes care of hygiene, clothes, meals, sleep and medicines on their own.",
            ),
        ],
    ),
    (
        "housing",
        "Mieszkanie",
        "Housing",
        [
            (
                "Nie ma stałego miejsca do mieszkania albo mieszka w warunkach zagrażających zdrowiu lub "
                "bezpieczeństwu.",
                "Has no stable place to live, or lives in conditions that put health or safety at risk.",
            ),
            (
                "Ma gdzie mieszkać, ale utrzymanie mieszkania (porządek, drobne naprawy, zgoda z sąsiadami) "
                "wymaga stałej pomocy innych.",
                "Has somewhere to live, but keeping the home (tidying, small repairs, getting on with neighbours) "
                "needs constant help from others.",
            ),
            (
                "Utrzymuje mieszkanie z regularnym wsparciem, np. w mieszkaniu treningowym albo z pomocą "
                "asystenta kilka razy w miesiącu.",
                "Keeps the home with regular support, e.g. in a training flat or with an assistant's help a few "
                "times a month.",
            ),
            (
                "Mieszka stabilnie i dba o mieszkanie; pomocy potrzebuje rzadko, w nowych lub trudnych sprawach.",
                "Lives stably and looks after the home; rarely needs help, only with new or difficult matters.",
            ),
            (
                "Samodzielnie utrzymuje bezpieczne i stabilne mieszkanie.",
                "Keeps a safe and stable home on their own.",
            ),
        ],
    ),
    (
        "money",
        "Pieniądze",
        "Money",
        [
            (
                "Nie panuje nad pieniędzmi: brakuje na podstawowe potrzeby, rachunki nie są płacone, narastają "
                "długi; pieniędzmi musi zarządzać ktoś inny.",
                "Has no control over money: there is not enough for basic needs, bills go unpaid, debts grow; "
                "someone else has to manage the money.",
            ),
            (
                "Gospodaruje drobnymi kwotami; budżet, rachunki i spłaty wymagają stałej pomocy.",
                "Manages small sums; the budget, bills and repayments need constant help.",
            ),
            (
                "Planuje wydatki i płaci większość rachunków, od czasu do czasu z pomocą; pod koniec miesiąca "
                "zdarza się, że brakuje pieniędzy.",
                "Plans spending and pays most bills, with help now and then; money sometimes runs short at the "
                "end of the month.",
            ),
            (
                "Sam planuje budżet i płaci rachunki; radzi się innych tylko przy większych lub nowych sprawach.",
                "Plans the budget and pays the bills alone; asks others only about larger or new matters.",
            ),
            (
                "Samodzielnie gospodaruje pieniędzmi, bez zaległości.",
                "Manages money on their own, with nothing overdue.",
            ),
        ],
    ),
    (
        "daily_activity",
        "Codzienna aktywność",
        "Daily activity",
        [
            (
                "Większość dnia spędza bez zajęcia i rzadko wychodzi z domu; nawet proste plany wymagają "
                "stałej zachęty i towarzyszenia.",
                "Spends most of the day without anything to do and rarely leaves home; even simple plans need "
                "constant encouragement and company.",
            ),
            (
                "Podejmuje niektóre zajęcia, gdy ktoś je zaplanuje i o nich przypomni; dzień nie ma stałego rytmu.",
                "Takes up some activities when someone plans them and reminds them; the day has no regular rhythm.",
            ),
            (
                "Ma kilka stałych zajęć w tygodniu (np. dom samopomocy, klub, hobby); zaplanowanie czegoś nowego "
                "wymaga wsparcia.",
                "Has a few regular activities each week (e.g. a day centre, a club, a hobby); planning something "
                "new needs support.",
            ),
            (
                "Sam planuje dzień i tydzień i ma stałe zajęcia; wsparcia potrzebuje przy większych zmianach.",
                "Plans the day and the week alone and has regular activities; needs support with bigger changes.",
            ),
            (
                "Samodzielnie organizuje dzień i czas wolny tak, jak chce.",
                "Organises the day and free time on their own, as they wish.",
            ),
        ],
    ),
    (
        "social_contacts",
        "Kontakty z ludźmi",
        "Social contacts",
        [
            (
                "Nie ma kontaktu z nikim poza rodziną lub osobami, które pomagają zawodowo; bycie z ludźmi jest "
                "bardzo trudne.",
                "Has no contact with anyone besides family or professional helpers; being with people is very "
                "hard.",
            ),
            (
                "Ma pojedyncze kontakty, głównie wtedy, gdy ktoś je zorganizuje albo w nich towarzyszy.",
                "Has a few contacts, mostly when someone arranges them or comes along.",
            ),
            (
                "Utrzymuje kilka znajomości lub chodzi na grupę wsparcia; nawiązanie nowych kontaktów wymaga "
                "zachęty.",
                "Keeps a few acquaintances or goes to a support group; making new contacts needs encouragement.",
            ),
            (
                "Ma osoby, z którymi regularnie się spotyka i na które może liczyć; czasem potrzebuje rady "
                "w trudnych relacjach.",
                "Has people they meet regularly and can count on; sometimes needs advice about difficult "
                "relationships.",
            ),
            (
                "Samodzielnie nawiązuje i utrzymuje kontakty z ludźmi, które mu odpowiadają.",
                "Makes and keeps relationships with people that suit them, on their own.",
            ),
        ],
    ),
    (
        "family",
        "Rodzina",
        "Family",
        [
            (
                "Sprawy rodzinne przerastają osobę: poważne konflikty, poczucie zagrożenia albo zerwany kontakt, "
                "którego nie chce; potrzebuje pomocy niemal we wszystkim.",
                "Family matters overwhelm the person: serious conflicts, feeling unsafe, or a broken contact they "
                "do not want; needs help with nearly everything.",
            ),
            (
                "Kontakty z rodziną są napięte lub rzadkie; rozmowy i obowiązki rodzinne (np. opieka nad "
                "dzieckiem) wymagają stałego wsparcia.",
                "Contact with family is tense or rare; conversations and family duties (e.g. caring for a child) "
                "need constant support.",
            ),
            (
                "Utrzymuje kontakt z rodziną; w trudnych sytuacjach potrzebuje pomocy, np. mediacji albo "
                "rozmowy z asystentem.",
                "Keeps in touch with family; in difficult situations needs help, e.g. mediation or a talk with "
                "an assistant.",
            ),
            (
                "Relacje w rodzinie są w większości dobre; wypełnia swoje role w rodzinie i rzadko szuka pomocy.",
                "Family relationships are mostly good; fulfils their roles in the family and rarely looks for "
                "help.",
            ),
            (
                "Samodzielnie układa relacje z rodziną tak, jak chce, i radzi sobie z obowiązkami rodzinnymi.",
                "Shapes family relationships the way they want and handles family duties on their own.",
            ),
        ],
    ),
    (
        "work_education",
        "Praca lub nauka",
        "Work or education",
        [
            (
                "Nie pracuje ani się nie uczy i na razie nie jest w stanie tego planować bez pełnego wsparcia.",
                "Neither works nor studies, and for now cannot plan for it without full support.",
            ),
            (
                "Myśli o pracy lub nauce i robi pierwsze kroki (np. doradztwo zawodowe, warsztaty) przy stałym "
                "towarzyszeniu.",
                "Thinks about work or study and takes first steps (e.g. career guidance, workshops) with someone "
                "always alongside.",
            ),
            (
                "Uczy się, odbywa trening pracy lub staż albo pracuje ze wsparciem (np. z trenerem pracy, "
                "w WTZ, ZAZ lub CIS).",
                "Studies, does a job trial or an internship, or works with support (e.g. with a job coach, in "
                "a WTZ, ZAZ or CIS).",
            ),
            (
                "Pracuje lub uczy się z niewielkim wsparciem, np. rozmowami co jakiś czas albo elastycznym "
                "czasem pracy.",
                "Works or studies with little support, e.g. occasional check-in talks or flexible hours.",
            ),
            (
                "Samodzielnie pracuje lub się uczy albo wybrał inną formę aktywności i dobrze sobie z nią radzi.",
                "Works or studies on their own, or has chosen another kind of activity and manages it well.",
            ),
        ],
    ),
    (
        "physical_health",
        "Zdrowie fizyczne",
        "Physical health",
        [
            (
                "Nie dba o zdrowie fizyczne i nie idzie do lekarza nawet przy wyraźnych dolegliwościach; "
                "potrzebuje pomocy we wszystkim.",
                "Does not look after physical health and does not see a doctor even with clear complaints; needs "
                "help with everything.",
            ),
            (
                "Idzie do lekarza, gdy ktoś umówi wizytę i pójdzie razem; zalecenia wypełnia tylko przy stałym "
                "przypominaniu.",
                "Sees a doctor when someone books the visit and goes along; follows medical advice only with "
                "constant reminders.",
            ),
            (
                "Sam chodzi do lekarza w pilnych sprawach; badania kontrolne, dieta i ruch wymagają zachęty.",
                "Goes to the doctor alone when something is urgent; check-ups, diet and exercise need "
                "encouragement.",
            ),
            (
                "Dba o zdrowie, pamięta o badaniach i zaleceniach; pomocy potrzebuje rzadko.",
                "Looks after their health and remembers check-ups and medical advice; rarely needs help.",
            ),
            (
                "Samodzielnie dba o zdrowie fizyczne i korzysta z opieki zdrowotnej, kiedy trzeba.",
                "Looks after physical health on their own and uses health care when needed.",
            ),
        ],
    ),
    (
        "crisis_coping",
        "Radzenie sobie w kryzysie",
        "Coping with crises",
        [
            (
                "W trudnych chwilach nie wie, co robić ani do kogo się zwrócić; kryzysy zwykle kończą się "
                "interwencją z zewnątrz.",
                "In hard moments does not know what to do or whom to turn to; crises usually end with someone "
                "from outside stepping in.",
            ),
            (
                "Zauważa, że dzieje się coś złego, dopiero gdy zwrócą na to uwagę inni; przyjmuje pomoc, "
                "gdy ktoś ją zaproponuje.",
                "Notices that something is wrong only when others point it out; accepts help when someone offers "
                "it.",
            ),
            (
                "Rozpoznaje część sygnałów ostrzegawczych i wie, do kogo zadzwonić; potrzebuje wsparcia, "
                "żeby skorzystać z planu na kryzys.",
                "Recognises some warning signs and knows whom to call; needs support to follow a crisis plan.",
            ),
            (
                "Zna swoje sygnały ostrzegawcze, ma plan na kryzys i zwykle sam sięga po niego w porę.",
                "Knows their warning signs, has a crisis plan and usually turns to it in time on their own.",
            ),
            (
                "Samodzielnie radzi sobie w trudnych chwilach i w porę prosi o pomoc, kiedy jej potrzebuje.",
                "Copes with hard times on their own and asks for help early when they need it.",
            ),
        ],
    ),
    (
        "official_matters",
        "Sprawy urzędowe",
        "Official matters",
        [
            (
                "Nie otwiera pism urzędowych albo ich nie rozumie; każdą sprawę w urzędzie ktoś musi załatwić "
                "za osobę.",
                "Does not open official letters or does not understand them; someone has to deal with every "
                "matter at an office for the person.",
            ),
            (
                "Rozumie proste pisma, ale wnioski, terminy i wizyty w urzędach wymagają stałej pomocy "
                "i towarzyszenia.",
                "Understands simple letters, but applications, deadlines and visits to offices need constant "
                "help and company.",
            ),
            (
                "Proste sprawy załatwia sam (np. złożenie wypełnionego wniosku); przy nowych lub "
                "skomplikowanych potrzebuje pomocy.",
                "Handles simple matters alone (e.g. handing in a completed form); needs help with new or "
                "complicated ones.",
            ),
            (
                "Sam pilnuje terminów i załatwia większość spraw; radzi się tylko w sprawach nietypowych.",
                "Keeps track of deadlines and handles most matters alone; asks for advice only on unusual ones.",
            ),
            (
                "Samodzielnie załatwia sprawy urzędowe, także nowe i skomplikowane.",
                "Handles official matters on their own, new and complicated ones too.",
            ),
        ],
    ),
]


def create_instrument(apps, schema_editor):
    Instrument = apps.get_model("network", "Instrument")
    InstrumentDomain = apps.get_model("network", "InstrumentDomain")
    InstrumentLevel = apps.get_model("network", "InstrumentLevel")
    if Instrument.objects.filter(network__isnull=True, code=CODE).exists():
        return
    instrument = Instrument.objects.create(network=None, is_active=True, **INSTRUMENT)
    for position, (code, name_pl, name_en, levels) in enumerate(DOMAINS, start=1):
        domain = InstrumentDomain.objects.create(
            instrument=instrument, code=code, position=position, name_pl=name_pl, name_en=name_en
        )
        InstrumentLevel.objects.bulk_create(
            InstrumentLevel(domain=domain, value=value, description_pl=text_pl, description_en=text_en)
            for value, (text_pl, text_en) in enumerate(levels, start=INSTRUMENT["scale_min"])
        )


def delete_instrument(apps, schema_editor):
    # Domains and levels go with it (CASCADE); recorded results protect it, as they should.
    Instrument = apps.get_model("network", "Instrument")
    Instrument.objects.filter(network__isnull=True, code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0004_access_log_append_only")]

    operations = [migrations.RunPython(create_instrument, delete_instrument)]
