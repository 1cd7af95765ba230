"""The demo logins, one per role, with fixed passwords (shown on screen; demo only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attain.demo.config import DemoConfig
from attain.demo.people import NO_DAY, Org

# (role, username, password, who when no rep is linked)
LOGIN_SPECS = (
    ("admin", "admin", "attain-admin-demo", "RevOps administrator (no rep)"),
    ("finance", "finance", "attain-finance-demo", "Finance reviewer (no rep)"),
    ("manager", "vp", "attain-vp-demo", "VP Sales"),
    ("manager", "manager", "attain-manager-demo", "West regional manager"),
    ("rep", "rep", "attain-rep-demo", "West account executive"),
)


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    rep_id: int | None  # generated rep id (1-based), None for admin and finance
    who: str


def choose_logins(config: DemoConfig, org: Org) -> list[Login]:
    s, reps = org.sellers, org.reps
    # The rep login: an account executive in the West manager's region, on the same team
    # for the whole window, with a middling win rate (a typical rep, not an outlier).
    stable = np.flatnonzero(
        (s["region_a"] == 0)
        & (s["move"] == NO_DAY)
        & (s["termination"] == NO_DAY)
        & (s["hire"] <= config.start_day)
    )
    if len(stable) == 0:
        stable = np.flatnonzero(s["region_a"] == 0)
    median = np.median(s["win_rate"][stable])
    rep_row = stable[np.argmin(np.abs(s["win_rate"][stable] - median))]
    linked = {
        "vp": org.vp_rep_id,
        "manager": org.manager_rep_ids[0],
        "rep": int(s["rep_id"][rep_row]),
    }

    def describe(rep: int) -> str:
        return f"{reps['name'][rep - 1]} ({reps['title'][rep - 1]}, {reps['external_id'][rep - 1]})"

    logins = []
    for role, username, password, who in LOGIN_SPECS:
        rep_id = linked.get(username)
        logins.append(Login(role, username, password, rep_id, describe(rep_id) if rep_id else who))
    return logins
