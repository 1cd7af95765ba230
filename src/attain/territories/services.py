"""Writes of territories: overrides, design and realignment scenarios, applying a scenario.

Money stays Decimal in the database; the optimiser sees integer cents.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import Sum

from attain.common import in_force_on
from attain.people.models import Rep, User
from attain.sales.models import Account, Deal
from attain.territories import selectors
from attain.territories.design import balance, bisection, metrics, realign_large
from attain.territories.models import (
    AccountOverride,
    Scenario,
    ScenarioAssignment,
    ScenarioTerritory,
    Territory,
    TerritoryOwner,
)

MEASURES = {
    "potential": "Potential",
    "accounts": "Account count",
    "pipeline": "Open pipeline",
}
REALIGN_PENALTIES_KM = (0, 25, 100, 400)
# Above either size the flow methods (design/balance.py) get too slow: designs use
# recursive bisection (design/bisection.py) and realignments border flows
# (design/realign_large.py).
LARGE_ACCOUNTS = 50_000
LARGE_TERRITORIES = 200
LARGE_BANDS_NOTE = (
    f"Bands on other measures are enforced for books up to {LARGE_ACCOUNTS:,} accounts and "
    f"{LARGE_TERRITORIES} territories; here they are only reported."
)


def is_large(accounts: int, territories: int) -> bool:
    return accounts > LARGE_ACCOUNTS or territories > LARGE_TERRITORIES


# A realignment runs its flow once per move penalty on the trade-off page: above this many
# accounts that took 17 s a penalty (50,000 accounts, 48 territories), border flows 0.6 s.
# The flow stays where only it can do what is asked: new hires' territories, bands.
REALIGN_FLOW_ACCOUNTS = 10_000


def realigns_by_border_flows(accounts: int, territories: int, new_hires: bool, bands: bool) -> bool:
    if is_large(accounts, territories):
        return True
    return accounts > REALIGN_FLOW_ACCOUNTS and not new_hires and not bands


class TerritoryError(ValueError):
    """A territory change that cannot be made, with the reason for the user."""


def set_override(
    account: Account, territory: Territory, valid_from: dt.date, *, by: User | None, note=""
) -> AccountOverride:
    """Pin the account to the territory from ``valid_from``; an override in force that day
    ends there."""
    with transaction.atomic():
        current = AccountOverride.objects.filter(in_force_on(valid_from), account=account)
        for old in current:
            if old.valid_from == valid_from:
                old.delete()
            else:
                old.valid_to = valid_from
                old.save(update_fields=["valid_to"])
        return AccountOverride.objects.create(
            account=account, territory=territory, valid_from=valid_from, created_by=by, note=note
        )


@dataclass
class Book:
    """Accounts with coordinates and their measures, with today's territory."""

    ids: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    measures: dict[str, np.ndarray]  # integer cents or counts per account
    current: list[int | None]  # territory id today
    protected: np.ndarray  # override or open deal
    has_open_deal: np.ndarray
    pinned: np.ndarray
    unplaced: list[int]  # accounts without coordinates
    current_index: np.ndarray | None = None  # today's plan as territory indices (realign)
    new_hires: list = field(default_factory=list)  # NewHire per added territory (realign)


def load_book(as_of: dt.date) -> Book:
    rows = list(
        Account.objects.order_by("id").values_list("id", "latitude", "longitude", "potential")
    )
    pipeline = dict(
        Deal.objects.filter(status=Deal.Status.OPEN)
        .values("account_id")
        .order_by()
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    resolved = selectors.resolve_accounts(Account.objects.all(), as_of)
    placed = [r for r in rows if r[1] is not None and r[2] is not None]
    ids = np.array([r[0] for r in placed], dtype=np.int64)
    cents = [int(r[3] * 100) for r in placed]
    pipe = [int(pipeline.get(r[0], Decimal("0")) * 100) for r in placed]
    open_deal = np.array([r[0] in pipeline for r in placed], dtype=bool)
    pinned = np.array([resolved[r[0]].kind == "override" for r in placed], dtype=bool)
    return Book(
        ids=ids,
        latitude=np.array([float(r[1]) for r in placed]),
        longitude=np.array([float(r[2]) for r in placed]),
        measures={
            "potential": np.array(cents, dtype=np.int64),
            "accounts": np.ones(len(placed), dtype=np.int64),
            "pipeline": np.array(pipe, dtype=np.int64),
        },
        current=[resolved[r[0]].territory_id for r in placed],
        protected=open_deal | pinned,
        has_open_deal=open_deal,
        pinned=pinned,
        unplaced=[r[0] for r in rows if r[1] is None or r[2] is None],
    )


def _quality(x, y, assignment, k, measures, edges=None) -> dict:
    q = metrics.evaluate(x, y, assignment, k, measures, edges=edges)
    return {
        "k": k,
        "accounts": q.accounts,
        "balance": {
            name: {
                "loads": b.loads,
                "mean": b.mean,
                "deviation": b.deviation,
                "max_deviation": b.max_deviation,
            }
            for name, b in q.balance.items()
        },
        "compactness": q.compactness,
        "mean_distance": q.mean_distance,
        "pieces": q.pieces,
        "contiguous_share": q.contiguous_share,
    }


def _secondary(book: Book, primary: str, bands: dict[str, float] | None) -> dict:
    """Bands on measures other than the primary, as balance.py takes them."""
    for measure, band in (bands or {}).items():
        if measure not in MEASURES:
            raise TerritoryError(f"Unknown measure {measure!r} for a band.")
        if not 0 <= band <= 1:
            raise TerritoryError(f"The band on {MEASURES[measure]} must be 0–100%.")
    return {m: (book.measures[m], b) for m, b in (bands or {}).items() if m != primary}


def band_report(assignment, k: int, book: Book, secondary: dict) -> dict[str, dict]:
    """Per banded measure: the band, the plan's max deviation and whether it is inside."""
    held = balance.bands_held(assignment, k, secondary)
    return {
        m: {
            "label": MEASURES[m],
            "band": float(band),
            "max_deviation": balance.max_deviation(
                np.bincount(assignment, weights=book.measures[m], minlength=k)
            ),
            "inside": held[m],
        }
        for m, (_, band) in secondary.items()
    }


def _current_plan(book: Book) -> tuple[np.ndarray, list[int]]:
    """Today's plan as territory indices (uncaught accounts as -1) and the territory ids."""
    ids = sorted({t for t in book.current if t is not None})
    index = {t: i for i, t in enumerate(ids)}
    return np.array([index.get(t, -1) if t else -1 for t in book.current]), ids


def _owners_on(territory_ids, as_of) -> dict[int, int]:
    rows = TerritoryOwner.objects.filter(in_force_on(as_of), territory_id__in=territory_ids)
    return {o.territory_id: o.rep_id for o in rows.order_by("valid_from", "id")}


def _inherit_owners(assignment, book, k, as_of, primary) -> list[int | None]:
    """Give each proposed territory the rep owning most of its primary measure today,
    largest shares first, each rep at most once."""
    owners = _owners_on({t for t in book.current if t}, as_of)
    shared: Counter = Counter()
    weights = book.measures[primary]
    for i, t in enumerate(book.current):
        rep = owners.get(t) if t else None
        if rep is not None:
            shared[(int(assignment[i]), rep)] += int(weights[i]) + 1
    result: list[int | None] = [None] * k
    taken: set[int] = set()
    for (territory, rep), _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])):
        if result[territory] is None and rep not in taken:
            result[territory] = rep
            taken.add(rep)
    return result


def _save_scenario(
    *, name, kind, user, as_of, parameters, book, assignment, centres, names, owners, quality
) -> Scenario:
    k = len(names)
    with transaction.atomic():
        scenario = Scenario.objects.create(
            name=name, kind=kind, created_by=user, as_of=as_of,
            parameters=parameters, quality=quality,
        )  # fmt: skip
        territories = ScenarioTerritory.objects.bulk_create(
            ScenarioTerritory(
                scenario=scenario,
                index=i,
                name=names[i],
                owner_id=owners[i],
                centre_x=float(centres[i][0]),
                centre_y=float(centres[i][1]),
            )  # fmt: skip
            for i in range(k)
        )
        loads = np.bincount(assignment, weights=book.measures["potential"], minlength=k)
        lightest = int(np.argmin(loads)) if k else 0
        rows = [
            ScenarioAssignment(
                scenario=scenario,
                account_id=int(account_id),
                territory=territories[int(assignment[i])],
                current_territory_id=book.current[i],
                locked=bool(book.protected[i]) if kind == Scenario.Kind.REALIGN else False,
            )
            for i, account_id in enumerate(book.ids)
        ]
        current = selectors.resolve_accounts(Account.objects.filter(id__in=book.unplaced), as_of)
        rows += [
            ScenarioAssignment(
                scenario=scenario,
                account_id=account_id,
                territory=territories[lightest],
                current_territory_id=current[account_id].territory_id,
            )
            for account_id in book.unplaced
        ]
        ScenarioAssignment.objects.bulk_create(rows, batch_size=2000)
    return scenario


def _names(assignment, book, k, prefix) -> list[str]:
    """A readable name per territory: its commonest state (and a number when repeated)."""
    states = dict(Account.objects.filter(id__in=book.ids.tolist()).values_list("id", "state"))
    regions = dict(Account.objects.filter(id__in=book.ids.tolist()).values_list("id", "region"))
    by_territory: dict[int, Counter] = defaultdict(Counter)
    for i, account_id in enumerate(book.ids):
        key = (regions.get(int(account_id)) or "?", states.get(int(account_id)) or "?")
        by_territory[int(assignment[i])][key] += 1
    names = []
    seen: Counter = Counter()
    for t in range(k):
        region, state = by_territory[t].most_common(1)[0][0] if by_territory[t] else ("?", "?")
        seen[(region, state)] += 1
        names.append(f"{prefix}{t + 1:02d} {region}/{state}")
    return names


def create_design(
    *,
    name: str,
    user: User | None,
    as_of: dt.date,
    k: int,
    primary: str = "potential",
    tolerance: float = 0.01,
    seed: int = 0,
    locked: dict[int, int] | None = None,
    home_bases: list[Rep] | None = None,
    bands: dict[str, float] | None = None,
) -> Scenario:
    """A new balanced design of every located account into ``k`` territories.

    ``bands`` maps other measures to the relative band each territory must stay within
    (0.10 for ±10%): enforced by the flow method, only reported for large books.
    ``locked`` maps account id → territory index (0-based) the account must stay in.
    ``home_bases``: reps whose home coordinates seed territories 0, 1, …; each is proposed
    as the owner of the territory grown from their home.
    """
    home_bases = list(home_bases or [])
    if len(home_bases) > k:
        raise TerritoryError(f"{len(home_bases)} home bases cannot fit in {k} territories.")
    for rep in home_bases:
        if rep.home_latitude is None or rep.home_longitude is None:
            raise TerritoryError(f"{rep.name} has no home coordinates.")
    if primary not in MEASURES:
        raise TerritoryError(f"Unknown measure {primary!r}; choose one of {', '.join(MEASURES)}.")
    book = load_book(as_of)
    position = {int(a): i for i, a in enumerate(book.ids)}
    locks = {}
    for account_id, territory in (locked or {}).items():
        if account_id not in position:
            raise TerritoryError(f"Locked account {account_id} has no coordinates.")
        locks[position[account_id]] = territory
    x, y = balance.project(book.latitude, book.longitude)
    seeds = _home_seeds(home_bases, book)
    secondary = _secondary(book, primary, bands)
    large = is_large(len(x), k)
    edges = metrics.neighbour_edges(x, y) if large and len(x) > k > 0 else None
    try:
        if large:
            plan = bisection.design(
                x, y, book.measures[primary], k, tolerance=tolerance, seed=seed,
                locked=locks, seeds=seeds, edges=edges,
            )  # fmt: skip
        else:
            plan = balance.design(
                x, y, book.measures[primary], k, tolerance=tolerance, seed=seed,
                locked=locks, seeds=seeds, secondary=secondary,
            )  # fmt: skip
    except balance.DesignError as exc:
        raise TerritoryError(str(exc)) from exc
    if large and secondary:
        plan.notes.append(LARGE_BANDS_NOTE)
    now, now_ids = _current_plan(book)
    caught = now >= 0
    quality = {
        "proposed": _quality(x, y, plan.assignment, k, book.measures, edges),
        "current": _quality(x[caught], y[caught], now[caught], len(now_ids),
                            {m: v[caught] for m, v in book.measures.items()}),
        "notes": plan.notes,
        "current_ids": now_ids,
        "bands": band_report(plan.assignment, k, book, secondary),
    }  # fmt: skip
    parameters = {
        "k": k, "primary": primary, "tolerance": tolerance, "seed": seed,
        "bands": {m: b for m, (_, b) in secondary.items()},
        "locked": {str(a): t for a, t in (locked or {}).items()},
        "home_bases": [rep.id for rep in home_bases],
        "method": "bisection" if large else "flow",
    }  # fmt: skip
    owners = _inherit_owners(plan.assignment, book, k, as_of, primary)
    if home_bases:
        based = {rep.id for rep in home_bases}
        owners = [None if o in based else o for o in owners]
        for index, rep in enumerate(home_bases):
            owners[index] = rep.id
    return _save_scenario(
        name=name, kind=Scenario.Kind.DESIGN, user=user, as_of=as_of, parameters=parameters,
        book=book, assignment=plan.assignment, centres=plan.centres,
        names=_names(plan.assignment, book, k, "P"), owners=owners, quality=quality,
    )  # fmt: skip


def _home_seeds(home_bases: list[Rep], book) -> list[tuple[float, float]]:
    """The reps' homes in the accounts' projection (same reference latitude)."""
    if not home_bases or not len(book.latitude):
        return []
    reference = math.radians(float(np.asarray(book.latitude, dtype=float).mean()))
    return [
        (
            float(rep.home_longitude) * math.cos(reference) * balance.KM_PER_DEGREE,
            float(rep.home_latitude) * balance.KM_PER_DEGREE,
        )
        for rep in home_bases
    ]


@dataclass
class RealignOption:
    penalty_km: float
    moved: int
    potential_moved: Decimal
    reps_affected: int
    deviation_before: float
    deviation_after: float
    assignment: np.ndarray
    notes: list[str] = field(default_factory=list)  # e.g. the band widened for protected ones
    bands: dict[str, dict] = field(default_factory=dict)  # band_report of the option
    deviation_rest: float | None = None  # without the territories kept to protected accounts


@dataclass
class NewHire:
    """A new territory in a realignment: its owner and where it is seeded (plane km)."""

    rep: Rep
    seed: tuple[float, float]
    seeded_by: str  # "home", "area <name>" or "busiest territory <name>", for the page


def _centre(x, y, weight, members) -> tuple[float, float]:
    w = weight[members].astype(float) + 1e-9
    return float(np.sum(w * x[members]) / w.sum()), float(np.sum(w * y[members]) / w.sum())


def _area_members(area: str, book: Book, now, now_ids) -> np.ndarray:
    """Accounts of the area: a territory in force today (by name), else a state, else a
    region (case-insensitive)."""
    wanted = area.strip().lower()
    names = dict(Territory.objects.filter(id__in=now_ids).values_list("id", "name"))
    for index, territory_id in enumerate(now_ids):
        if names.get(territory_id, "").lower() == wanted and (now == index).any():
            return np.flatnonzero(now == index)
    places = Account.objects.filter(id__in=book.ids.tolist()).values_list("id", "state", "region")
    state = {a: (s or "").lower() for a, s, _ in places}
    region = {a: (r or "").lower() for a, _, r in places}
    for facts in (state, region):
        members = np.array([facts.get(int(a)) == wanted for a in book.ids], dtype=bool)
        if members.any():
            return np.flatnonzero(members)
    raise TerritoryError(
        f"No located account is in the area {area!r}: give a territory in force today, "
        "a state or a region."
    )


def _split_seeds(x, y, weight, members, count, centres) -> list[tuple[float, float]]:
    """``count`` seeds inside an area: the area's accounts split into ``count`` + 1 compact
    parts (same seed, same split), keeping the parts farthest from today's centres. The
    bare centre of an area that is one territory today would sit on that territory's own
    centre, where every account is as near to the old as to the new territory."""
    parts = min(count + 1, len(members))
    if parts < 2:
        return [_centre(x, y, weight, members)] * count
    plan = balance.design(
        x[members], y[members], weight[members], parts, tolerance=0.5, seed=0, iterations=4
    )
    spots = [tuple(map(float, c)) for c in plan.centres]
    far = [
        min(math.hypot(sx - cx, sy - cy) for cx, cy in centres) if len(centres) else 0.0
        for sx, sy in spots
    ]
    order = sorted(range(len(spots)), key=lambda i: (-far[i], i))
    chosen = [spots[i] for i in order[:count]]
    return chosen + [chosen[-1]] * (count - len(chosen))


def _new_hire_seeds(
    hires: list[Rep], areas: dict[int, str], book: Book, x, y, now, now_ids, weight
) -> list[NewHire]:
    """Where each new territory starts: the area given for the rep; else the rep's home;
    else the busiest territory today (largest primary measure first, one per such rep)."""
    k = len(now_ids)
    centres = [
        _centre(x, y, weight, np.flatnonzero(now == t)) for t in range(k) if (now == t).any()
    ]
    housed = [
        r for r in hires
        if not areas.get(r.id) and r.home_latitude is not None and r.home_longitude is not None
    ]  # fmt: skip
    homes_by_rep = dict(zip([r.id for r in housed], _home_seeds(housed, book), strict=True))
    loads = np.bincount(now, weights=weight, minlength=k)
    names = dict(Territory.objects.filter(id__in=now_ids).values_list("id", "name"))
    busiest = [names[now_ids[int(t)]] for t in np.argsort(-loads, kind="stable")]
    wanted: dict[str, list[tuple[Rep, str]]] = defaultdict(list)
    for rep in hires:
        if areas.get(rep.id):
            wanted[areas[rep.id]].append((rep, f"area {areas[rep.id]}"))
        elif rep.id not in homes_by_rep:  # the next busiest territory (the last one repeats)
            area = busiest.pop(0) if len(busiest) > 1 else busiest[0]
            wanted[area].append((rep, f"busiest territory {area}"))
    seeded: dict[int, tuple[tuple[float, float], str]] = {
        rep_id: (home, "home") for rep_id, home in homes_by_rep.items()
    }
    for area, reps in wanted.items():
        members = _area_members(area, book, now, now_ids)
        spots = _split_seeds(x, y, weight, members, len(reps), centres)
        for (rep, how), spot in zip(reps, spots, strict=True):
            seeded[rep.id] = (spot, how)
    return [NewHire(rep=r, seed=seeded[r.id][0], seeded_by=seeded[r.id][1]) for r in hires]


def _deviation_rest(plan, weights, k: int) -> float | None:
    kept = getattr(plan, "kept", [])
    if not kept:
        return None
    loads = np.bincount(plan.assignment, weights=weights, minlength=k)
    return balance.max_deviation(np.delete(loads, kept))


def _option_notes(plan, names: list[str], *, bands_ignored: bool) -> list[str]:
    """The optimiser's notes, naming the territories kept to their protected accounts."""
    notes = list(plan.notes)
    kept = getattr(plan, "kept", [])  # the large-book realignment does not keep any
    if kept:
        notes.append(f"Kept to their protected accounts: {', '.join(names[t] for t in kept)}.")
    if bands_ignored:
        notes.append(LARGE_BANDS_NOTE)
    return notes


def realign_options(
    as_of: dt.date,
    *,
    primary: str = "potential",
    tolerance: float = 0.05,
    penalties=REALIGN_PENALTIES_KM,
    allow_open_deals: bool = False,
    new_hires: list[Rep] | None = None,
    areas: dict[int, str] | None = None,
    bands: dict[str, float] | None = None,
) -> tuple[Book, list[int], list[RealignOption]]:
    """The trade-off of rebalancing today's plan at a few move penalties.

    ``new_hires`` adds one territory per rep (after today's, in the given order), seeded at
    the rep's home, else in ``areas[rep.id]`` (a territory in force today, a state or a
    region), else in the busiest territory, and filled from its neighbours by the same flow
    with the move penalty. ``book.new_hires`` says where each one was seeded. ``bands`` as
    in ``create_design`` (enforced for books the flow handles).
    """
    if primary not in MEASURES:
        raise TerritoryError(f"Unknown measure {primary!r}; choose one of {', '.join(MEASURES)}.")
    hires = list(new_hires or [])
    if len({r.id for r in hires}) < len(hires):
        raise TerritoryError("Each new hire gets one new territory: a rep is listed twice.")
    book = load_book(as_of)
    now, now_ids = _current_plan(book)
    if not now_ids:
        raise TerritoryError("No account belongs to a territory today: design a plan first.")
    x, y = balance.project(book.latitude, book.longitude)
    # Uncaught accounts join the nearest territory centre (they have nowhere to stay).
    caught = now >= 0
    if not caught.all():
        k0 = len(now_ids)
        w = book.measures[primary][caught].astype(float) + 1e-9
        cx = np.bincount(now[caught], weights=w * x[caught], minlength=k0)
        cy = np.bincount(now[caught], weights=w * y[caught], minlength=k0)
        total = np.bincount(now[caught], weights=w, minlength=k0)
        centres = np.stack([cx / np.maximum(total, 1e-9), cy / np.maximum(total, 1e-9)], 1)
        lost = np.flatnonzero(~caught)
        now = now.copy()
        now[lost] = np.argmin(np.hypot(x[lost, None] - centres[None, :, 0],
                                       y[lost, None] - centres[None, :, 1]), axis=1)  # fmt: skip
    protected = book.pinned | (book.has_open_deal & (not allow_open_deals))
    owners = _owners_on(now_ids, as_of)
    weights = book.measures[primary]
    secondary = _secondary(book, primary, bands)
    k = len(now_ids)
    large = realigns_by_border_flows(len(x), k + len(hires), bool(hires), bool(secondary))
    if hires and large:
        raise TerritoryError(
            f"New territories for new hires are not available for books above "
            f"{LARGE_ACCOUNTS:,} accounts or {LARGE_TERRITORIES} territories yet: design a new "
            "plan with the hires' home bases instead."
        )
    if len(x) < k + len(hires):
        raise TerritoryError(f"{len(x)} accounts cannot fill {k + len(hires)} territories.")
    placed = _new_hire_seeds(hires, areas or {}, book, x, y, now, now_ids, weights)
    owner_of = [owners.get(t) for t in now_ids] + [h.rep.id for h in placed]
    k_new = k + len(placed)
    titles = dict(Territory.objects.filter(id__in=now_ids).values_list("id", "name"))
    names = [titles.get(t, "?") for t in now_ids] + [h.rep.name for h in placed]
    before = balance.max_deviation(np.bincount(now, weights=weights, minlength=k))
    options = []
    edges = metrics.neighbour_edges(x, y) if large else None
    for penalty in penalties:
        if large:
            plan = realign_large.realign(
                x, y, weights, now, k, tolerance=tolerance, move_penalty_km=penalty,
                protected=protected, edges=edges,
            )  # fmt: skip
        else:
            plan = balance.realign(
                x, y, weights, now, k_new, tolerance=tolerance, move_penalty_km=penalty,
                protected=protected, seeds=[h.seed for h in placed], secondary=secondary,
            )  # fmt: skip
        moved = plan.assignment != now
        reps = {owner_of[t] for t in np.concatenate([now[moved], plan.assignment[moved]])}
        reps.discard(None)
        options.append(
            RealignOption(
                penalty_km=penalty,
                moved=int(moved.sum()),
                potential_moved=Decimal(int(book.measures["potential"][moved].sum())) / 100,
                reps_affected=len(reps),
                deviation_before=before,
                deviation_after=balance.max_deviation(
                    np.bincount(plan.assignment, weights=weights, minlength=k_new)
                ),
                assignment=plan.assignment,
                notes=_option_notes(plan, names, bands_ignored=large and bool(secondary)),
                bands=band_report(plan.assignment, k_new, book, secondary),
                deviation_rest=_deviation_rest(plan, weights, k_new),
            )
        )
    book.current_index = now
    book.new_hires = placed
    return book, now_ids, options


def create_realignment(
    *,
    name: str,
    user: User | None,
    as_of: dt.date,
    penalty_km: float,
    primary: str = "potential",
    tolerance: float = 0.05,
    allow_open_deals: bool = False,
    new_hires: list[Rep] | None = None,
    areas: dict[int, str] | None = None,
    bands: dict[str, float] | None = None,
) -> Scenario:
    """A draft realignment at one move penalty; each new hire owns one new territory."""
    book, now_ids, options = realign_options(
        as_of, primary=primary, tolerance=tolerance, penalties=[penalty_km],
        allow_open_deals=allow_open_deals, new_hires=new_hires, areas=areas, bands=bands,
    )  # fmt: skip
    option = options[0]
    k = len(now_ids)
    placed = book.new_hires
    k_new = k + len(placed)
    x, y = balance.project(book.latitude, book.longitude)
    now = book.current_index
    centres = np.zeros((k_new, 2))
    for i, hire in enumerate(placed):
        centres[k + i] = hire.seed
    edges = metrics.neighbour_edges(x, y)  # one graph for both plans
    territories = Territory.objects.in_bulk(now_ids)
    owners = _owners_on(now_ids, as_of)
    quality = {
        "proposed": _quality(x, y, option.assignment, k_new, book.measures, edges),
        "current": _quality(x, y, now, k, book.measures, edges),
        "notes": option.notes,
        "current_ids": now_ids,
        "bands": option.bands,
    }
    parameters = {
        "primary": primary, "tolerance": tolerance, "penalty_km": penalty_km,
        "allow_open_deals": allow_open_deals, "moved": option.moved,
        "bands": {m: b["band"] for m, b in option.bands.items()},
        "new_hires": [
            {"rep": h.rep.id, "seed": list(h.seed), "seeded_by": h.seeded_by} for h in placed
        ],
    }  # fmt: skip
    new_names = _names(option.assignment, book, k_new, "N")[k:]
    return _save_scenario(
        name=name, kind=Scenario.Kind.REALIGN, user=user, as_of=as_of, parameters=parameters,
        book=book, assignment=option.assignment, centres=centres,
        names=[territories[t].name for t in now_ids]
        + [f"{n.split(' ', 1)[1]} ({h.rep.name})" for n, h in zip(new_names, placed, strict=True)],
        owners=[owners.get(t) for t in now_ids] + [h.rep.id for h in placed], quality=quality,
    )  # fmt: skip


@transaction.atomic
def apply_scenario(scenario: Scenario, valid_from: dt.date, *, by: User | None = None) -> None:
    """Make the scenario today's plan from ``valid_from``.

    Every territory, owner and override in force that day ends on it (their history before
    stays as it was), and each proposed territory becomes a list territory from that day
    with its accounts and owner. Earlier dates therefore still resolve to the old plan.
    """
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.status != Scenario.Status.DRAFT:
        raise TerritoryError("This scenario was already applied.")
    later = Territory.objects.filter(valid_from__gte=valid_from)
    if later.exists():
        names = ", ".join(later.order_by("name").values_list("name", flat=True)[:3])
        raise TerritoryError(
            f"Territories start on or after {valid_from:%Y-%m-%d} ({names}); "
            "apply the scenario after them or remove them first."
        )
    later_owners = TerritoryOwner.objects.filter(valid_from__gte=valid_from)
    if later_owners.exists():
        raise TerritoryError(
            f"Some territory owners start on or after {valid_from:%Y-%m-%d}; "
            "pick a later date or end those ownerships first."
        )
    for model in (Territory, TerritoryOwner):
        model.objects.filter(in_force_on(valid_from)).update(valid_to=valid_from)
    pins = AccountOverride.objects.filter(in_force_on(valid_from))
    pins.filter(valid_from=valid_from).delete()
    pins.update(valid_to=valid_from)
    members = defaultdict(list)
    for territory_id, account_id in scenario.assignments.values_list("territory_id", "account_id"):
        members[territory_id].append(account_id)
    through = Territory.accounts.through
    for st in scenario.territories.order_by("index"):
        territory = Territory.objects.create(
            external_id=f"SCN{scenario.pk}-{st.index + 1:02d}",
            name=st.name,
            kind=Territory.Kind.LIST,
            valid_from=valid_from,
        )
        through.objects.bulk_create(
            [through(territory_id=territory.pk, account_id=a) for a in members[st.pk]],
            batch_size=2000,
        )
        if st.owner_id:
            TerritoryOwner.objects.create(
                territory=territory, rep_id=st.owner_id, valid_from=valid_from
            )
        st.created_territory = territory
        st.save(update_fields=["created_territory"])
    scenario.status = Scenario.Status.APPLIED
    scenario.applied_from = valid_from
    scenario.save(update_fields=["status", "applied_from"])
