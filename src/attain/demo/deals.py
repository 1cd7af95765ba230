"""Deals, their lines, credits and the activities worked on them, a chunk at a time.

Everything is vectorised over a chunk of deals; each chunk draws from its own random stream
(seed, chunk number), so chunks are independent and memory stays bounded however many
deals are asked for.

How a deal comes about: an owner is drawn (busier reps and longer tenure get more deals),
then a close date from the seasonal curve within the owner's tenure, then a sales cycle
backwards to the created date (the owner is on a team on that day). The account comes from
the owner's region and segment. Deals closing before ``as_of`` are won with the owner's
latent win rate (higher for renewals and expansions), the rest are still open at a stage
that matches how far along they are (or, for a deal that will be lost, where it drops out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attain.demo import catalog
from attain.demo.accounts import Accounts
from attain.demo.codes import (
    KIND_CALL,
    KIND_EMAIL,
    KIND_MEETING,
    ROLE_OVERLAY,
    ROLE_OWNER,
    ROLE_SPLIT,
    STAGE_LOST,
    STAGE_WON,
    STATUS_LOST,
    STATUS_OPEN,
    STATUS_WON,
)
from attain.demo.config import DemoConfig, days_to_dates
from attain.demo.people import NO_DAY, SEG_ENTERPRISE, Org

STREAM_DEALS = 10
STREAM_PROSPECTING = 11
# Stage histories draw from their own stream so that adding them changed no other column.
STREAM_STAGES = 12
# Whether a deal still open will be won, and so how far along the funnel it can be.
STREAM_OPEN_FATE = 13
# A lost deal moves past each open stage with this chance (+ slope × the owner's latent
# win rate): weaker reps lose their deals earlier in the funnel.
LOST_ADVANCE_BASE, LOST_ADVANCE_SLOPE = 0.25, 1.2
OPEN_STAGES = 4  # Prospecting, Qualification, Proposal, Negotiation

MAX_LINES = 4
SPLIT_RATE = 0.08
OVERLAY_RATE = 0.7
CANCEL_RATE = 0.05
TYPE_CUMULATIVE = np.array([0.55, 0.80])  # new 55%, renewal 25%, expansion 20%
TYPE_SIZE = np.array([1.0, 0.9, 0.5])
ENTERPRISE_SIZE = 2.2
Q4_SIZE = 1.1
Table = dict[str, np.ndarray]


@dataclass
class DealChunk:
    deals: Table
    deal_lines: Table
    credits: Table
    activities: Table
    deal_stages: Table | None = None


def _pick(
    rng: np.random.Generator,
    members: np.ndarray,
    start: np.ndarray,
    length: np.ndarray,
    group: np.ndarray,
) -> np.ndarray:
    """One random member of each row's group (groups laid out by start/length in members)."""
    offset = np.floor(rng.random(len(group)) * length[group]).astype(np.int64)
    return members[start[group] + offset]


def _grouped(keys: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    length = np.bincount(keys, minlength=groups)
    start = np.concatenate([[0], np.cumsum(length)[:-1]])
    return order, start, length


class DealModel:
    def __init__(self, config: DemoConfig, org: Org, accounts: Accounts, cdf: np.ndarray):
        self.config = config
        self.accounts = accounts
        self.cdf = cdf
        s = self.s = org.sellers
        start = config.start_day
        # Close dates leave a week after joining for the first deal.
        self.close_lo = (s["span_lo"] + 7).astype(np.int64)
        self.close_hi = s["span_hi"].astype(np.int64)
        mass = cdf[self.close_hi - start] - cdf[self.close_lo - start]
        weight = np.sqrt(s["activity"]) * mass
        self.cum_weight = np.cumsum(weight) / weight.sum()
        self.region_members, self.region_start, self.region_length = _grouped(
            s["region_a"].astype(np.int64), 3
        )
        spec = org.specialists_by_region
        self.spec_members = np.concatenate(spec).astype(np.int64)
        self.spec_length = np.array([len(x) for x in spec])
        self.spec_start = np.concatenate([[0], np.cumsum(self.spec_length)[:-1]])
        self.product_cum = np.cumsum(catalog.PRODUCT_WEIGHT)
        self.product_cum[-1] = 1.0

    def _team_at(self, owner: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self.s
        moved = day >= s["move"][owner]
        region = np.where(moved, s["region_b"][owner], s["region_a"][owner]).astype(np.int64)
        segment = np.where(moved, s["segment_b"][owner], s["segment_a"][owner]).astype(np.int64)
        return region, segment

    def _account(self, rng: np.random.Generator, region: np.ndarray, segment: np.ndarray):
        share_enterprise = np.where(segment == SEG_ENTERPRISE, 0.7, 0.12)
        account_segment = (rng.random(len(region)) >= share_enterprise).astype(np.int64)
        a = self.accounts
        return _pick(rng, a.order, a.bucket_start, a.bucket_length, region * 2 + account_segment)

    def _dates(self, rng: np.random.Generator, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Close date from the seasonal curve within the owner's tenure, then the created
        date a sales cycle earlier. A deal that would only be created after ``as_of`` does
        not exist yet, so it is drawn again: the open pipeline thins out further ahead."""
        cfg, s, cdf = self.config, self.s, self.cdf
        start, as_of = cfg.start_day, cfg.as_of_day
        n = len(owner)
        close = np.zeros(n, np.int64)
        created = np.zeros(n, np.int64)
        todo = np.arange(n)
        for _ in range(12):
            o = owner[todo]
            lo = self.close_lo[o] - start
            hi = self.close_hi[o] - start
            u = cdf[lo] + rng.random(len(todo)) * (cdf[hi] - cdf[lo])
            c = start + np.clip(np.searchsorted(cdf, u, side="right") - 1, lo, hi - 1)
            _, segment = self._team_at(o, c)
            median_cycle = np.where(segment == SEG_ENTERPRISE, 60.0, 35.0)
            cycle = np.maximum(3, np.round(median_cycle * np.exp(rng.normal(0, 0.55, len(todo)))))
            close[todo] = c
            created[todo] = c - cycle.astype(np.int64)
            todo = todo[created[todo] >= as_of]
            if len(todo) == 0:
                break
        created = np.clip(created, s["span_lo"][owner], np.minimum(close - 1, as_of - 1))
        return close, created

    def chunk(self, index: int, n: int) -> DealChunk:
        """Deals of chunk ``index`` (ids are positions within the chunk, from 0)."""
        cfg, s = self.config, self.s
        rng = cfg.rng(STREAM_DEALS, index)
        as_of = cfg.as_of_day

        owner = np.minimum(
            np.searchsorted(self.cum_weight, rng.random(n), side="right"), len(self.cum_weight) - 1
        )
        close, created = self._dates(rng, owner)
        region, segment = self._team_at(owner, created)
        enterprise = segment == SEG_ENTERPRISE

        deal_type = np.searchsorted(TYPE_CUMULATIVE, rng.random(n), side="right")
        account = self._account(rng, region, segment)

        # Outcome.
        closed = close < as_of
        skill = s["win_rate"][owner]
        p_win = np.select(
            [deal_type == 1, deal_type == 2],
            [0.5 + 0.45 * skill, np.minimum(0.9, 0.1 + 1.3 * skill)],
            skill,
        )
        p_win = p_win * np.where(enterprise, 0.85, 1.0)
        won = closed & (rng.random(n) < p_win)
        status = np.select([won, closed], [STATUS_WON, STATUS_LOST], STATUS_OPEN).astype(np.int8)
        progress = (as_of - created) / (close - created)
        stage = np.select(
            [won, closed], [STAGE_WON, STAGE_LOST], self._open_stage(index, owner, p_win, progress)
        ).astype(np.int8)

        # Lines: distinct products per deal, drawn by popularity.
        n_lines = 1 + rng.binomial(MAX_LINES - 1, np.where(enterprise, 0.45, 0.3))
        products = np.searchsorted(self.product_cum, rng.random((n, MAX_LINES)), side="right")
        for k in range(1, MAX_LINES):
            for _ in range(8):
                clash = (products[:, :k] == products[:, k : k + 1]).any(axis=1)
                if not clash.any():
                    break
                products[clash, k] = np.searchsorted(
                    self.product_cum, rng.random(int(clash.sum())), side="right"
                )
        used = np.arange(MAX_LINES) < n_lines[:, None]
        line_product = products[used]
        line_number = np.broadcast_to(np.arange(1, MAX_LINES + 1), (n, MAX_LINES))[used]
        line_deal = np.repeat(np.arange(n), n_lines)
        offsets = np.concatenate([[0], np.cumsum(n_lines)[:-1]])

        q4 = (days_to_dates(close).astype("datetime64[M]").astype(np.int64) % 12) >= 9
        deal_scale = (
            s["size"][owner]
            * np.where(enterprise, ENTERPRISE_SIZE, 1.0)
            * self.accounts.potential_factor[account]
            * TYPE_SIZE[deal_type]
            * np.where(q4, Q4_SIZE, 1.0)
        )
        quantity = np.maximum(
            1,
            np.round(
                catalog.QUANTITY_MEDIAN[line_product]
                * deal_scale[line_deal]
                * np.exp(rng.normal(0, 0.45, len(line_deal)))
            ),
        ).astype(np.int64)
        discount = np.clip(np.round(rng.normal(np.where(enterprise, 12, 6), 5)), 0, 30)
        discount = discount.astype(np.int64)
        unit_price = (catalog.LIST_PRICE[line_product] * (100 - discount[line_deal]) + 50) // 100
        unit_cost = catalog.UNIT_COST[line_product]
        amount = np.add.reduceat(quantity * unit_price, offsets)
        margin = np.add.reduceat(quantity * (unit_price - unit_cost), offsets)
        units = np.add.reduceat(quantity, offsets)

        cancel = won & (rng.random(n) < CANCEL_RATE)
        cancel_day = close + rng.integers(14, 61, n)
        cancellation = np.where(cancel & (cancel_day < as_of), cancel_day, NO_DAY)

        deals = {
            "owner": owner,
            "owner_id": s["rep_id"][owner],
            "account_id": account,
            "stage": stage,
            "status": status,
            "deal_type": deal_type.astype(np.int8),
            "amount": amount,
            "margin": margin,
            "units": units,
            "created_date": created.astype(np.int32),
            "close_date": close.astype(np.int32),
            "cancellation_date": cancellation.astype(np.int32),
        }
        lines = {
            "deal": line_deal,
            "line_number": line_number.astype(np.int16),
            "product_id": (line_product + 1).astype(np.int64),
            "quantity": quantity,
            "unit_price": unit_price,
            "unit_cost": unit_cost,
        }
        credits = self._credits(rng, owner, created, close, region, line_product, offsets)
        activities = self._deal_activities(rng, deals)
        stages = self._stage_paths(index, owner, created, close, status, stage)
        return DealChunk(deals, lines, credits, activities, stages)

    def _open_stage(self, index, owner, p_win, progress) -> np.ndarray:
        """The stage a deal still open would be at: the one its progress through the cycle
        has reached (a quarter, a half, three quarters), except that a deal that will be
        lost stops where a lost deal drops out of the funnel (``_stage_paths``). So the open
        deals at a stage are won as often as the closed deals that reached it were, and a
        forecast weighting them by those rates expects what they will bring. Drawn from a
        stream of its own, for every deal, so no other column changes."""
        rng = self.config.rng(STREAM_OPEN_FATE, index)
        n = len(owner)
        will_win = rng.random(n) < p_win
        advance = LOST_ADVANCE_BASE + LOST_ADVANCE_SLOPE * self.s["win_rate"][owner]
        steps = rng.random((n, OPEN_STAGES - 1)) < np.clip(advance, 0.2, 0.9)[:, None]
        drop_out = np.cumprod(steps, axis=1).sum(axis=1)
        by_progress = np.searchsorted([0.25, 0.5, 0.75], progress)
        return np.where(will_win, by_progress, np.minimum(by_progress, drop_out))

    def _stage_paths(self, index, owner, created, close, status, stage) -> Table:
        """The day each deal entered each stage of its path, from a stream of its own.

        Every deal starts in Prospecting on its created date. A won deal goes through all
        four open stages to Closed Won on its close date; a lost deal drops out after the
        last open stage it reached (each step taken with a chance that rises with the
        owner's skill) to Closed Lost on its close date; an open deal has entered every
        stage up to its current one, each when its progress through the cycle passed a
        quarter, a half and three quarters (the rule that gave it its stage)."""
        rng = self.config.rng(STREAM_STAGES, index)
        n = len(owner)
        cycle = (close - created).astype(np.float64)
        won, lost = status == STATUS_WON, status == STATUS_LOST
        # Closed deals: the open stages are entered at sorted random points of the cycle.
        cut = np.sort(rng.random((n, OPEN_STAGES - 1)), axis=1)
        advance = LOST_ADVANCE_BASE + LOST_ADVANCE_SLOPE * self.s["win_rate"][owner]
        steps = rng.random((n, OPEN_STAGES - 1)) < np.clip(advance, 0.2, 0.9)[:, None]
        lost_reach = np.cumprod(steps, axis=1).sum(axis=1)
        quarters = np.arange(1, OPEN_STAGES) / OPEN_STAGES
        open_day = created[:, None] + np.ceil(quarters[None, :] * cycle[:, None])
        closed_day = created[:, None] + np.round(cut * cycle[:, None])
        entered = np.empty((n, OPEN_STAGES + 1), np.int64)
        entered[:, 0] = created
        entered[:, 1:OPEN_STAGES] = np.where((won | lost)[:, None], closed_day, open_day)
        entered[:, OPEN_STAGES] = close
        reached = np.select([won, lost], [OPEN_STAGES - 1, lost_reach], stage)
        valid = np.arange(OPEN_STAGES + 1)[None, :] <= reached[:, None]
        valid[:, OPEN_STAGES] = won | lost
        codes = np.broadcast_to(np.arange(OPEN_STAGES + 1), (n, OPEN_STAGES + 1)).copy()
        codes[:, OPEN_STAGES] = np.where(won, STAGE_WON, STAGE_LOST)
        return {
            "deal": np.broadcast_to(np.arange(n)[:, None], valid.shape)[valid],
            "stage": codes[valid].astype(np.int8),
            "entered_on": entered[valid].astype(np.int32),
        }

    def _credits(self, rng, owner, created, close, region, line_product, offsets) -> Table:
        s, n = self.s, len(owner)
        # Splits: half to a colleague of the same region who is with the company from the
        # deal's creation to its close (a partner who has left is paid nothing: the engine
        # would find no plan for the credit).
        partner = _pick(rng, self.region_members, self.region_start, self.region_length, region)
        split = (
            (rng.random(n) < SPLIT_RATE)
            & (partner != owner)
            & (s["hire"][partner] <= created)
            & (close < s["termination"][partner])
        )
        # Overlays: the region's specialist, on deals with an overlay product.
        has_overlay = (
            np.add.reduceat(catalog.IS_OVERLAY_PRODUCT[line_product].astype(np.int64), offsets) > 0
        )
        overlay = has_overlay & (rng.random(n) < OVERLAY_RATE) & (self.spec_length[region] > 0)
        safe_region = np.where(self.spec_length[region] > 0, region, np.argmax(self.spec_length))
        specialist = _pick(rng, self.spec_members, self.spec_start, self.spec_length, safe_region)

        deal = np.concatenate([np.arange(n), np.flatnonzero(split), np.flatnonzero(overlay)])
        rep = np.concatenate([s["rep_id"][owner], s["rep_id"][partner[split]], specialist[overlay]])
        role = np.concatenate(
            [
                np.full(n, ROLE_OWNER),
                np.full(split.sum(), ROLE_SPLIT),
                np.full(overlay.sum(), ROLE_OVERLAY),
            ]
        ).astype(np.int8)
        share = np.concatenate(
            [
                np.where(split, 5_000, 10_000),
                np.full(split.sum(), 5_000),
                np.full(overlay.sum(), 10_000),
            ]
        ).astype(np.int64)
        order = np.argsort(deal, kind="stable")
        return {
            "deal": deal[order],
            "rep_id": rep[order],
            "role": role[order],
            "share": share[order],
        }

    def _deal_activities(self, rng, deals: Table) -> Table:
        s, as_of = self.s, self.config.as_of_day
        owner, created = deals["owner"], deals["created_date"].astype(np.int64)
        end = np.minimum(deals["close_date"], as_of - 1)
        length = end - created + 1
        lam = 0.9 * s["activity"][owner] * np.clip(length / 12.0, 0.5, 6.0)
        count = rng.poisson(lam)
        deal = np.repeat(np.arange(len(owner)), count)
        day = created[deal] + np.floor(rng.random(len(deal)) * length[deal]).astype(np.int64)
        table = activity_columns(rng, s["win_rate"][owner[deal]], (0.45, 0.85))
        table.update(
            {
                "rep_id": s["rep_id"][owner[deal]],
                "date": day.astype(np.int32),
                "deal": deal,
                "account_id": deals["account_id"][deal],
            }
        )
        return table

    def prospecting(self, index: int, first: int, stop: int) -> Table:
        """Calls and emails to accounts, not yet tied to a deal, for sellers first..stop-1."""
        cfg, s = self.config, self.s
        rng = cfg.rng(STREAM_PROSPECTING, index)
        seller = np.arange(first, stop)
        month_starts = np.array(
            [
                (np.datetime64(cfg.window_start, "M") + m).astype("datetime64[D]").astype(np.int64)
                for m in range(cfg.months + 1)
            ]
        )
        lo = np.maximum(month_starts[None, :-1], s["span_lo"][seller, None])
        hi = np.minimum(month_starts[None, 1:], s["span_hi"][seller, None])
        hi = np.minimum(hi, cfg.as_of_day)
        days = np.maximum(0, hi - lo)
        count = rng.poisson(10.0 * s["activity"][seller, None] * days / 30.4)
        flat = count.ravel()
        cell = np.repeat(np.arange(flat.size), flat)
        rep_row = seller[cell // cfg.months]
        offset = np.floor(rng.random(cell.size) * days.ravel()[cell]).astype(np.int64)
        day = lo.ravel()[cell] + offset
        region, segment = self._team_at(rep_row, day)
        table = activity_columns(rng, s["win_rate"][rep_row], (0.6, 0.95))
        table.update(
            {
                "rep_id": s["rep_id"][rep_row],
                "date": day.astype(np.int32),
                "deal": np.full(cell.size, -1, np.int64),
                "account_id": self._account(rng, region, segment),
            }
        )
        return table


def activity_columns(
    rng: np.random.Generator, skill: np.ndarray, kind_cumulative: tuple[float, float]
) -> Table:
    """Kind, outcome and duration: better reps connect and get replies more often."""
    n = len(skill)
    r_kind, r_ok, r_which = rng.random(n), rng.random(n), rng.random(n)
    kind = np.select(
        [r_kind < kind_cumulative[0], r_kind < kind_cumulative[1]],
        [KIND_CALL, KIND_EMAIL],
        KIND_MEETING,
    ).astype(np.int8)
    call_ok = r_ok < 0.2 + 0.6 * skill
    meeting_ok = r_ok < 0.75 + 0.2 * skill
    email_ok = r_ok < 0.15 + 0.5 * skill
    outcome = np.select(
        [kind == KIND_CALL, kind == KIND_MEETING],
        [
            np.where(call_ok, 0, np.where(r_which < 0.5, 1, 2)),
            np.where(meeting_ok, 3, np.where(r_which < 0.5, 4, 5)),
        ],
        np.where(email_ok, 6, 7),
    ).astype(np.int8)
    meeting_length = np.array([30, 45, 60])[np.minimum(2, (r_which * 3).astype(np.int64))]
    duration = np.select(
        [kind == KIND_CALL, kind == KIND_MEETING],
        [
            np.where(call_ok, 5 + (r_which * 26).astype(np.int64), 1),
            np.where(meeting_ok, meeting_length, 0),
        ],
        3,
    ).astype(np.int32)
    return {"kind": kind, "outcome": outcome, "duration_minutes": duration}
