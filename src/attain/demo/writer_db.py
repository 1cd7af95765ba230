"""Write the demo data set into the Django database with ``bulk_create`` in batches.

Generated ids are positions; database primary keys are whatever the database assigns, so
each table keeps a numpy array ``pk[generated id] → primary key`` for the tables after it.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from attain.demo.codes import CODED, DEAL_TYPES
from attain.demo.columns import CURRENCY, external_id, line_external_id
from attain.demo.config import days_to_dates
from attain.demo.generator import Chunk, DemoData
from attain.demo.people import NO_DAY

BATCH = 2_000
TYPE_NAMES = {"new": "New business", "renewal": "Renewal", "expansion": "Expansion"}


def _dates(days: np.ndarray) -> list:
    dates = days_to_dates(np.where(days == NO_DAY, 0, days)).astype(object).tolist()
    return [None if d == NO_DAY else date for d, date in zip(days.tolist(), dates, strict=True)]


def _decimals(values: np.ndarray, places: int) -> list[Decimal]:
    return [Decimal(v).scaleb(-places) for v in values.tolist()]


def _labels(column: str, codes: np.ndarray) -> list[str]:
    labels = CODED[column]
    return [labels[c] for c in codes.tolist()]


def _pk_index(objects: list, size: int) -> np.ndarray:
    """pk by generated id (1-based); index 0 stays 0 (no row)."""
    pks = np.zeros(size + 1, np.int64)
    pks[1:] = [o.pk for o in objects]
    return pks


class DatabaseSink:
    """Receives the small tables, then chunks; everything inside the caller's transaction."""

    def __init__(self, batch_size: int = BATCH):
        self.batch_size = batch_size
        self.rows: dict[str, int] = {}

    def _bulk(self, model, objects: list) -> list:
        created = model.objects.bulk_create(objects, batch_size=self.batch_size)
        name = model._meta.model_name
        self.rows[name] = self.rows.get(name, 0) + len(created)
        return created

    def begin(self, data: DemoData) -> None:
        from attain.people.models import Rep, Team, TeamMembership
        from attain.sales.models import Account, Product
        from attain.territories.models import Territory, TerritoryOwner

        org = data.org
        t = org.teams
        # Parents come before children in generated order, so create level by level.
        team_pk = np.zeros(len(t["id"]) + 1, np.int64)
        pending = list(range(len(t["id"])))
        while pending:
            ready = [i for i in pending if t["parent_id"][i] == 0 or team_pk[t["parent_id"][i]]]
            objects = self._bulk(
                Team,
                [
                    Team(
                        external_id=t["external_id"][i],
                        name=t["name"][i],
                        region=t["region"][i],
                        parent_id=int(team_pk[t["parent_id"][i]]) or None,
                    )
                    for i in ready
                ],
            )
            for i, obj in zip(ready, objects, strict=True):
                team_pk[i + 1] = obj.pk
            done = set(ready)
            pending = [i for i in pending if i not in done]

        r = org.reps
        hire, term = _dates(r["hire_date"]), _dates(r["termination_date"])
        lat, lon = _decimals(r["home_latitude"], 6), _decimals(r["home_longitude"], 6)
        reps = self._bulk(
            Rep,
            [
                Rep(
                    external_id=r["external_id"][i],
                    name=r["name"][i],
                    email=r["email"][i],
                    title=r["title"][i],
                    hire_date=hire[i],
                    termination_date=term[i],
                    home_latitude=lat[i],
                    home_longitude=lon[i],
                )
                for i in range(len(r["id"]))
            ],
        )
        self.rep_pk = _pk_index(reps, len(reps))

        m = org.memberships
        starts, ends = _dates(m["valid_from"]), _dates(m["valid_to"])
        self._bulk(
            TeamMembership,
            [
                TeamMembership(
                    rep_id=int(self.rep_pk[m["rep_id"][i]]),
                    team_id=int(team_pk[m["team_id"][i]]),
                    role=m["role"][i],
                    valid_from=starts[i],
                    valid_to=ends[i],
                )
                for i in range(len(m["id"]))
            ],
        )

        p = data.products
        products = self._bulk(
            Product,
            [
                Product(
                    external_id=p["external_id"][i],
                    name=p["name"][i],
                    family=p["family"][i],
                    list_price=Decimal(int(p["list_price"][i])).scaleb(-2),
                    unit_cost=Decimal(int(p["unit_cost"][i])).scaleb(-2),
                    currency=CURRENCY,
                )
                for i in range(len(p["id"]))
            ],
        )
        self.product_pk = _pk_index(products, len(products))

        a = data.accounts.table
        lat, lon = _decimals(a["latitude"], 6), _decimals(a["longitude"], 6)
        potential = _decimals(a["potential"], 2)
        self.account_names = a["name"]
        accounts = self._bulk(
            Account,
            [
                Account(
                    external_id=external_id("accounts", i + 1),
                    name=a["name"][i],
                    industry=a["industry"][i],
                    region=a["region"][i],
                    state=a["state"][i],
                    postcode=a["postcode"][i],
                    latitude=lat[i],
                    longitude=lon[i],
                    potential=potential[i],
                    currency=CURRENCY,
                )
                for i in range(len(a["id"]))
            ],
        )
        self.account_pk = _pk_index(accounts, len(accounts))

        te = data.territories
        start = _dates(te["valid_from"])
        territories = self._bulk(
            Territory,
            [
                Territory(
                    external_id=te["external_id"][i],
                    name=te["name"][i],
                    kind=Territory.Kind.RULE,
                    rule_region=te["rule_region"][i],
                    rule_state=te["rule_state"][i],
                    valid_from=start[i],
                )
                for i in range(len(te["id"]))
            ],
        )
        territory_pk = _pk_index(territories, len(territories))
        o = data.territory_owners
        starts, ends = _dates(o["valid_from"]), _dates(o["valid_to"])
        self._bulk(
            TerritoryOwner,
            [
                TerritoryOwner(
                    territory_id=int(territory_pk[o["territory_id"][i]]),
                    rep_id=int(self.rep_pk[o["rep_id"][i]]),
                    valid_from=starts[i],
                    valid_to=ends[i],
                )
                for i in range(len(o["id"]))
            ],
        )
        self.deal_pk = np.zeros(data.config.deals + 1, np.int64)

    def write_chunk(self, chunk: Chunk) -> None:
        from attain.sales.models import Activity, Credit, Deal, DealLine, DealStageChange

        if chunk.deals is not None:
            d = chunk.deals
            ids = d["id"].tolist()
            account = d["account_id"]
            names = [
                f"{self.account_names[acc - 1]}: {TYPE_NAMES[DEAL_TYPES[t]]}"
                for acc, t in zip(account.tolist(), d["deal_type"].tolist(), strict=True)
            ]
            amount, margin = _decimals(d["amount"], 2), _decimals(d["margin"], 2)
            units = [Decimal(u) for u in d["units"].tolist()]
            created, close = _dates(d["created_date"]), _dates(d["close_date"])
            cancelled = _dates(d["cancellation_date"])
            stage, status = _labels("stage", d["stage"]), _labels("status", d["status"])
            deal_type = _labels("deal_type", d["deal_type"])
            owner_pk = self.rep_pk[d["owner_id"]].tolist()
            account_pk = self.account_pk[account].tolist()
            deals = self._bulk(
                Deal,
                [
                    Deal(
                        external_id=external_id("deals", ids[i]),
                        name=names[i],
                        account_id=account_pk[i],
                        owner_id=owner_pk[i],
                        stage=stage[i],
                        status=status[i],
                        deal_type=deal_type[i],
                        amount=amount[i],
                        currency=CURRENCY,
                        margin=margin[i],
                        units=units[i],
                        created_date=created[i],
                        close_date=close[i],
                        cancellation_date=cancelled[i],
                    )
                    for i in range(len(ids))
                ],
            )
            self.deal_pk[d["id"]] = [deal.pk for deal in deals]

            ln = chunk.deal_lines
            deal_ids, numbers = ln["deal_id"].tolist(), ln["line_number"].tolist()
            deal_pk = self.deal_pk[ln["deal_id"]].tolist()
            product_pk = self.product_pk[ln["product_id"]].tolist()
            quantity = [Decimal(q) for q in ln["quantity"].tolist()]
            price, cost = _decimals(ln["unit_price"], 2), _decimals(ln["unit_cost"], 2)
            self._bulk(
                DealLine,
                [
                    DealLine(
                        external_id=line_external_id(deal_ids[i], numbers[i]),
                        deal_id=deal_pk[i],
                        product_id=product_pk[i],
                        quantity=quantity[i],
                        unit_price=price[i],
                        unit_cost=cost[i],
                    )
                    for i in range(len(deal_ids))
                ],
            )

            c = chunk.credits
            deal_pk = self.deal_pk[c["deal_id"]].tolist()
            rep_pk = self.rep_pk[c["rep_id"]].tolist()
            role, share = _labels("role", c["role"]), _decimals(c["share"], 4)
            self._bulk(
                Credit,
                [
                    Credit(deal_id=deal_pk[i], rep_id=rep_pk[i], role=role[i], share=share[i])
                    for i in range(len(deal_pk))
                ],
            )

            st = chunk.deal_stages
            if st is not None:
                deal_pk = self.deal_pk[st["deal_id"]].tolist()
                stage, entered = _labels("stage", st["stage"]), _dates(st["entered_on"])
                self._bulk(
                    DealStageChange,
                    [
                        DealStageChange(deal_id=deal_pk[i], stage=stage[i], entered_on=entered[i])
                        for i in range(len(deal_pk))
                    ],
                )

        ac = chunk.activities
        if ac is not None and len(ac["id"]):
            ids = ac["id"].tolist()
            rep_pk = self.rep_pk[ac["rep_id"]].tolist()
            deal_pk = self.deal_pk[ac["deal_id"]].tolist()  # 0 → no deal
            account_pk = self.account_pk[ac["account_id"]].tolist()
            kind, outcome = _labels("kind", ac["kind"]), _labels("outcome", ac["outcome"])
            dates = _dates(ac["date"])
            minutes = ac["duration_minutes"].tolist()
            self._bulk(
                Activity,
                [
                    Activity(
                        external_id=external_id("activities", ids[i]),
                        rep_id=rep_pk[i],
                        kind=kind[i],
                        date=dates[i],
                        deal_id=deal_pk[i] or None,
                        account_id=account_pk[i],
                        outcome=outcome[i],
                        duration_minutes=minutes[i],
                    )
                    for i in range(len(ids))
                ],
            )

    def finish(self, data: DemoData) -> None:
        """Logins last, through the same service as ``attain createuser``."""
        from attain.people.models import User
        from attain.people.services import create_login

        reps = data.org.reps
        for login in data.logins:
            rep = None if login.rep_id is None else reps["external_id"][login.rep_id - 1]
            user = create_login(
                username=login.username,
                password=login.password,
                role=login.role,
                rep_external_id=rep,
            )
            # Every demo login has an address, so the weekly report has someone to go to
            # (written as files under the data folder unless a mail server is configured).
            if login.rep_id is not None:
                first, _, last = reps["name"][login.rep_id - 1].partition(" ")
                email = reps["email"][login.rep_id - 1]
                User.objects.filter(pk=user.pk).update(
                    first_name=first, last_name=last, email=email
                )
            else:
                User.objects.filter(pk=user.pk).update(
                    email=f"{login.username}@attain-demo.example"
                )
