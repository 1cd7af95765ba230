"""Labels of coded columns. Generated tables hold small integer codes; writers turn them
into these labels (Parquet keeps them dictionary-encoded)."""

from __future__ import annotations

import numpy as np

STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
STAGE_WON, STAGE_LOST = 4, 5
STATUSES = ("open", "won", "lost")
STATUS_OPEN, STATUS_WON, STATUS_LOST = 0, 1, 2
DEAL_TYPES = ("new", "renewal", "expansion")
CREDIT_ROLES = ("owner", "split", "overlay")
ROLE_OWNER, ROLE_SPLIT, ROLE_OVERLAY = 0, 1, 2
ACTIVITY_KINDS = ("call", "meeting", "email")
KIND_CALL, KIND_MEETING, KIND_EMAIL = 0, 1, 2
OUTCOMES = (
    "connected",
    "no answer",
    "left voicemail",
    "held",
    "no show",
    "rescheduled",
    "replied",
    "no reply",
)

# column name → labels, for every coded column of every table
CODED = {
    "stage": STAGES,
    "status": STATUSES,
    "deal_type": DEAL_TYPES,
    "role": CREDIT_ROLES,
    "kind": ACTIVITY_KINDS,
    "outcome": OUTCOMES,
}


def labels(column: str, codes: np.ndarray) -> np.ndarray:
    return np.array(CODED[column], dtype=object)[codes]
