from __future__ import annotations

import pytest

DEAL_HEADER = (
    "external_id,name,account,owner,stage,status,type,amount,currency,margin,units,"
    "created_date,close_date"
)


@pytest.fixture
def write(tmp_path):
    """write("deals.csv", text) -> path; bytes are written as they are."""

    def _write(name: str, content: str | bytes):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return _write


def deals_csv(*lines: str, header: str = DEAL_HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def snapshot(model) -> list[tuple]:
    """Every row of a table, to prove that nothing changed."""
    fields = [f.attname for f in model._meta.concrete_fields]
    return list(model.objects.order_by("pk").values_list(*fields))
