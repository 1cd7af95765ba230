"""Loading the demo organisation: generate once, stream to the database and/or Parquet."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from attain.demo.config import DemoConfig
from attain.demo.generator import DemoData, generate
from attain.demo.logins import LOGIN_SPECS, Login
from attain.demo.writer_db import DatabaseSink

ROOT_TEAM = "T-SALES"  # the demo org's root team: its presence means the demo is loaded


class DemoError(Exception):
    """The demo could not be loaded; the message says why and what to do."""


def demo_loaded() -> bool:
    from attain.people.models import Team

    return Team.objects.filter(external_id=ROOT_TEAM).exists()


def has_other_data() -> bool:
    from attain.people.models import Rep
    from attain.sales.models import Account, Deal

    return any(m.objects.exists() for m in (Rep, Account, Deal))


@transaction.atomic
def reset_sales_data() -> None:
    """Delete every org and sales row (demo or imported) and the demo logins.

    Other logins stay. Rows of other apps that point at reps or deals go with them when
    their foreign keys cascade; a protecting foreign key stops the reset with an error.
    """
    from django.db.models import ProtectedError

    from attain.demo.showcase import delete_showcase
    from attain.people.models import Rep, Team, TeamMembership, User
    from attain.sales.models import (
        Account,
        Activity,
        Credit,
        Deal,
        DealLine,
        DealStageChange,
        Product,
    )
    from attain.territories.models import Territory, TerritoryOwner

    delete_showcase()
    try:
        for model in (
            Activity,
            Credit,
            DealLine,
            DealStageChange,
            Deal,
            TerritoryOwner,
            Territory,
            Account,
            Product,
            TeamMembership,
        ):
            model.objects.all().delete()
        Team.objects.update(parent=None)
        Team.objects.all().delete()
        Rep.objects.all().delete()
        User.objects.filter(username__in=[spec[1] for spec in LOGIN_SPECS]).delete()
    except ProtectedError as exc:
        names = sorted({type(obj).__name__ for obj in exc.protected_objects})
        raise DemoError(
            f"cannot reset: {', '.join(names)} rows still refer to reps or deals; delete them first"
        ) from exc


def stream(data: DemoData, sinks: list, progress: Callable[[str], None] | None = None) -> dict:
    """Feed the generated data to every sink (each has begin/write_chunk/finish)."""
    started = time.perf_counter()
    for sink in sinks:
        sink.begin(data)
    deals = 0
    for chunk in data.chunks():
        for sink in sinks:
            sink.write_chunk(chunk)
        if chunk.deals is not None:
            deals += len(chunk.deals["id"])
            if progress and data.config.deals > 500_000:
                progress(
                    f"  {deals:,} of {data.config.deals:,} deals "
                    f"({time.perf_counter() - started:.0f} s)"
                )
    for sink in sinks:
        sink.finish(data)
    return {"seconds": time.perf_counter() - started}


def load(
    config: DemoConfig,
    *,
    to_db: bool,
    parquet: Path | None,
    progress: Callable[[str], None] | None = None,
) -> tuple[DemoData, list]:
    """Generate the demo org and write it; the database part is all or nothing.
    Returns the data and the sinks (whose ``rows`` count what each wrote)."""
    from attain.demo.writer_parquet import ParquetSink

    data = generate(config)
    sinks: list = []
    if parquet is not None:
        sinks.append(ParquetSink(parquet))
    if to_db:
        sinks.append(DatabaseSink())
        with transaction.atomic():
            stream(data, sinks, progress)
    else:
        stream(data, sinks, progress)
    return data, sinks


def logins_in_database() -> list[Login]:
    """The demo logins as they are in the database (for a second ``attain demo``)."""
    from attain.people.models import Rep, User

    found = []
    for role, username, password, who in LOGIN_SPECS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        rep = Rep.objects.filter(user=user).first()
        if rep is not None:
            who = f"{rep.name} ({rep.title}, {rep.external_id})"
        found.append(Login(role, username, password, rep.id if rep else None, who))
    return found
