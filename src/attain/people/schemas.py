"""JSON shapes of people for the API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from attain.api_common import DecimalOut


class RepOut(Schema):
    id: int
    external_id: str
    name: str
    email: str
    title: str
    team: str | None = Field(None, description="the rep's team today (member team first)")
    hire_date: dt.date | None
    termination_date: dt.date | None
    home_latitude: DecimalOut | None
    home_longitude: DecimalOut | None

    @staticmethod
    def resolve_team(obj) -> str | None:
        return getattr(obj, "team_name", None)


class RepPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RepOut]
