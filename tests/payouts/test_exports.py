"""The payroll file, checked by hand against the pay_org plan: each of wendy, will and eddie
earns 10% × 10,000 + 15% × 2,000 = 1,300.00 in 2026-02."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attain.payouts import exports, services
from attain.payouts.models import ManualAdjustment

pytestmark = pytest.mark.django_db

HEADER = "employee_id,name,period,amount,currency,commission,spiffs,clawbacks,adjustments,draws"


def _approved(pay_org, period="2026-02"):
    run = services.start_run(pay_org.users["admin"], period)
    return services.approve_run(pay_org.users["finance"], run)


def test_payroll_csv_is_hand_checked(client, pay_org):
    run = _approved(pay_org)
    pay_org.login(client, "finance")
    response = client.get(reverse("payouts:run_payroll_csv", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="attain-payroll-2026-02-run{run.pk}.csv"'
    )
    assert response.content.decode().splitlines() == [
        HEADER,
        "R-EDDIE,Eddie Example,2026-02,1300.00,USD,1300.00,0.00,0.00,0.00,0.00",
        "R-WENDY,Wendy Example,2026-02,1300.00,USD,1300.00,0.00,0.00,0.00,0.00",
        "R-WILL,Will Example,2026-02,1300.00,USD,1300.00,0.00,0.00,0.00,0.00",
    ]


def test_adjustments_clawbacks_and_draws_get_their_columns(pay_org):
    import datetime as dt

    from attain.plans.models import PlanAssignment

    _approved(pay_org)
    # March: will's deal grows (+300 adjustment), wendy's is cancelled (-1300 clawback),
    # eddie has a manual adjustment and a 500.00 non-recoverable draw.
    will = pay_org.deals["will"][0]
    will.amount = Decimal("14000.00")
    will.save()
    wendy = pay_org.deals["wendy"][0]
    wendy.cancellation_date = dt.date(2026, 3, 12)
    wendy.save()
    ManualAdjustment.objects.create(
        rep=pay_org.reps["eddie"],
        amount=Decimal("25.50"),
        reason="spiff paid late",
        created_by=pay_org.users["finance"],
    )
    PlanAssignment.objects.filter(rep=pay_org.reps["eddie"]).update(
        draw_per_period=Decimal("500.00"), draw_recoverable=False
    )
    march = _approved(pay_org, "2026-03")
    rows = list(csv.DictReader(io.StringIO(exports.payroll_csv(march))))
    by_rep = {r["employee_id"]: r for r in rows}
    assert by_rep["R-WILL"]["adjustments"] == "300.00"
    assert by_rep["R-WILL"]["amount"] == "300.00"
    assert by_rep["R-WENDY"]["clawbacks"] == "-1300.00"
    # eddie: 25.50 manual, then the draw tops 25.50 up to 500.00
    assert by_rep["R-EDDIE"]["adjustments"] == "25.50"
    assert by_rep["R-EDDIE"]["draws"] == "474.50"
    assert by_rep["R-EDDIE"]["amount"] == "500.00"
    assert all(r["period"] == "2026-03" for r in rows)


def test_only_approved_or_paid_runs_export(client, pay_org):
    run = services.start_run(pay_org.users["admin"], "2026-02")
    with pytest.raises(ValidationError, match="only approved or paid"):
        exports.payroll_csv(run)
    pay_org.login(client, "admin")
    response = client.get(reverse("payouts:run_payroll_csv", args=[run.pk]))
    assert response.status_code == 409
    assert "only approved or paid runs" in response.content.decode()


def test_text_cells_cannot_become_formulas(pay_org):
    rep = pay_org.reps["eddie"]
    rep.name = "=HYPERLINK(1)"
    rep.save()
    run = _approved(pay_org)
    rows = list(csv.reader(io.StringIO(exports.payroll_csv(run))))
    assert rows[1][:2] == ["R-EDDIE", "'=HYPERLINK(1)"]
