"""Exchange rates in the app: imported as ``fx_rates``, handed to the engine by pay runs.

Wendy's February deal (tests/payouts/conftest.py) is booked in EUR here: EUR 12,000.00 at
1 EUR = 1.10 USD is USD 13,200.00, which the USD plan ``ae-monthly`` pays at
10% × 10,000 + 15% × 3,200 = USD 1,480.00 (USD 1,300.00 had it been dollars).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from attain.imports.services import import_file
from attain.payouts import services
from attain.payouts.inputs import EngineInputs, build_inputs
from attain.payouts.models import CalcRun
from attain.sales.models import Deal, FxRate

pytestmark = pytest.mark.django_db

RATES = (
    "from_currency,to_currency,rate,valid_from,valid_to\n"
    "EUR,USD,1.05,2025-01-01,2026-01-01\n"
    "EUR,USD,1.10,2026-01-01,\n"
    "GBP,USD,1.27123456,2026-01-01,\n"
)


def imported(text: str, name: str = "fx.csv"):
    return import_file("fx_rates", io.BytesIO(text.encode()), file_name=name)


@pytest.fixture
def euro_deal(pay_org):
    Deal.objects.filter(pk=pay_org.deals["wendy"][0].pk).update(currency="EUR")
    return pay_org


def test_rates_are_imported_with_eight_places(db):
    report = imported(RATES)
    assert not report.errors and report.created == 3
    rates = list(FxRate.objects.values_list("from_currency", "to_currency", "rate", "valid_to"))
    assert rates == [
        ("EUR", "USD", Decimal("1.05000000"), dt.date(2026, 1, 1)),
        ("EUR", "USD", Decimal("1.10000000"), None),
        ("GBP", "USD", Decimal("1.27123456"), None),
    ]


def test_bad_rates_are_refused_with_row_and_column(db):
    text = (
        "from_currency,to_currency,rate,valid_from\n"
        "eur,USD,1.1,2026-01-01\n"  # row 2: not a code
        "EUR,EUR,1,2026-01-01\n"  # row 3: one currency
        "EUR,USD,0,2026-01-01\n"  # row 4: not above 0
        "EUR,USD,1.123456789,2026-02-01\n"  # row 5: nine places
    )
    report = imported(text)
    found = [(e.row, e.column, e.reason) for e in report.errors]
    assert (2, "from_currency", "not a currency code: three capital letters such as EUR") in found
    assert (3, "to_currency", "the same currency as from_currency: a rate needs two") in found
    assert [row for row, column, _ in found if column == "rate"] == [4, 5]
    assert not FxRate.objects.exists()


def test_two_rates_of_a_pair_may_not_be_in_force_on_one_day(db):
    assert not imported(RATES).errors
    report = imported("from_currency,to_currency,rate,valid_from\nEUR,USD,1.2,2026-06-01\n")
    assert [(e.row, e.column) for e in report.errors] == [(2, "valid_from")]
    assert "overlaps the EUR → USD rate from 2026-01-01 (open-ended)" in report.errors[0].reason
    # Ending the open rate first, in the same file, makes room for the new one.
    report = imported(
        "from_currency,to_currency,rate,valid_from,valid_to\n"
        "EUR,USD,1.10,2026-01-01,2026-06-01\n"
        "EUR,USD,1.20,2026-06-01,\n"
        "USD,EUR,0.9,2026-06-01,\n"  # the other direction is another pair
    )
    assert not report.errors, report.errors
    assert FxRate.objects.count() == 5


def test_a_run_converts_a_credit_in_another_currency_at_the_imported_rate(euro_deal):
    imported(RATES)
    run = services.start_run(euro_deal.users["finance"], "2026-02")
    assert run.status == CalcRun.Status.DRAFT, run.error
    wendy = run.lines.filter(rep=euro_deal.reps["wendy"]).order_by("tier")
    assert [line.amount for line in wendy] == [Decimal("1000.00"), Decimal("480.00")]
    assert "1.1" in wendy[1].explanation and "EUR" in wendy[1].explanation
    assert run.total_amount == Decimal("1480.00") + 2 * Decimal("1300.00")
    # The inputs kept with the run hold the rates, so a replay converts the same way.
    replay = EngineInputs.from_zip(bytes(run.inputs))
    assert replay.fx.num_rows == 3
    assert replay.fingerprint() == run.inputs_fingerprint


def test_without_a_rate_the_run_fails_and_says_which(euro_deal):
    run = services.start_run(euro_deal.users["finance"], "2026-02")
    assert run.status == CalcRun.Status.FAILED
    assert "no FX rate from EUR to USD on 2026-02-10" in run.error


def test_rates_after_the_period_are_not_read(euro_deal):
    imported(RATES + "CHF,USD,1.2,2026-03-01,\n")
    pairs = build_inputs("2026-02").fx.column("from_currency").to_pylist()
    assert sorted(pairs) == ["EUR", "EUR", "GBP"]


def test_the_rates_page_lists_each_pair_latest_first(client, pay_org, monkeypatch):
    from django.urls import reverse

    monkeypatch.setattr("attain.people.selectors.today", lambda: dt.date(2026, 2, 20))
    pay_org.login(client, "finance")
    empty = client.get(reverse("payouts:fx_rates")).content.decode()
    assert "No exchange rates." in empty and "Import rates" not in empty
    imported(RATES)
    page = client.get(reverse("payouts:fx_rates"))
    rows = [(r.from_currency, str(r.rate.normalize())) for r in page.context["page"]]
    assert rows == [("EUR", "1.1"), ("EUR", "1.05"), ("GBP", "1.27123456")]
    html = page.content.decode()
    assert html.count("in force today") == 2  # EUR 1.10 and GBP; EUR 1.05 ended
    client.logout()
    pay_org.login(client, "admin")
    assert "Import rates (fx_rates)" in client.get(reverse("payouts:fx_rates")).content.decode()


# -- the API -------------------------------------------------------------------------------


@pytest.fixture
def api(pay_org):
    from attain.people.tokens import create_token
    from tests.api.conftest import ApiClient

    keys = {name: create_token(user, "tests")[1] for name, user in pay_org.users.items()}
    return lambda username: ApiClient(keys[username] if username else None)


ROWS = [
    {"from_currency": "EUR", "to_currency": "USD", "rate": "1.10", "valid_from": "2026-01-01"},
    {"from_currency": "GBP", "to_currency": "USD", "rate": "1.27", "valid_from": "2026-01-01"},
]


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (None, 401, 401),
        ("admin", 200, 200),
        ("finance", 200, 403),
        ("walt", 403, 403),
        ("wendy", 403, 403),
    ],
)
def test_who_reads_and_writes_rates_through_the_api(api, role, read, write):
    assert api(role).get("/api/fx-rates").status_code == read
    assert api(role).put("/api/fx-rates", {"rates": ROWS}).status_code == write


def test_rates_through_the_api_are_checked_like_an_import(api):
    bad = ROWS + [
        {"from_currency": "EUR", "to_currency": "EUR", "rate": "1", "valid_from": "2026-01-01"},
        {"from_currency": "EUR", "to_currency": "USD", "rate": "1.2", "valid_from": "2026-06-01"},
    ]
    response = api("admin").put("/api/fx-rates", {"rates": bad})
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False and body["created"] == 0
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "to_currency")]
    assert not FxRate.objects.exists()
    response = api("admin").put("/api/fx-rates", {"rates": ROWS[:1] + bad[3:]})
    assert response.status_code == 422
    assert "overlaps the EUR → USD rate from 2026-01-01" in response.json()["errors"][0]["reason"]
    dry = api("admin").put("/api/fx-rates", {"rates": ROWS, "dry_run": True})
    assert (dry.status_code, dry.json()["created"], FxRate.objects.count()) == (200, 2, 0)
    assert api("admin").put("/api/fx-rates", {"rates": ROWS}).json()["created"] == 2
    listed = api("finance").get("/api/fx-rates", from_currency="eur").json()
    assert listed["count"] == 1
    assert listed["items"] == [
        {
            "from_currency": "EUR",
            "to_currency": "USD",
            "rate": "1.1",
            "valid_from": "2026-01-01",
            "valid_to": None,
        }
    ]


def test_a_rate_overlapping_any_earlier_one_is_refused(db):
    """Compared with the earlier rate that ends last, not only the one just before: the
    stored rate runs all year, so both file rows overlap it."""
    assert not imported(
        "from_currency,to_currency,rate,valid_from,valid_to\nEUR,USD,1.1,2026-01-01,2026-12-31\n"
    ).errors
    report = imported(
        "from_currency,to_currency,rate,valid_from,valid_to\n"
        "EUR,USD,1.2,2026-03-01,2026-04-01\n"
        "EUR,USD,1.3,2026-04-01,2026-05-01\n"
    )
    assert [e.row for e in report.errors] == [2, 3]
    assert FxRate.objects.count() == 1


def test_modelling_converts_with_the_rates_too(euro_deal):
    from attain.payouts import modelling

    imported(RATES)
    from attain.plans.models import PlanDocument

    document = PlanDocument.objects.get(plan_id="ae-monthly")
    candidate = modelling.document_candidate(document.pk)
    result = modelling.model_plans(euro_deal.users["admin"], "2026-02", "ae-monthly", [candidate])
    assert result.current.error == "" and result.candidates[0].error == ""
    assert result.current.total == Decimal("1480.00") + 2 * Decimal("1300.00")
