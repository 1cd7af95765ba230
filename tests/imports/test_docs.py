"""docs/import.md documents every entity column and both presets."""

from __future__ import annotations

from pathlib import Path

from attain.imports.presets import PRESETS
from attain.imports.specs import ENTITIES, columns_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"


def test_every_entity_table_is_in_the_docs():
    text = DOC.read_text(encoding="utf-8")
    for entity in ENTITIES.values():
        assert f"### {entity.name}\n" in text
        assert columns_markdown(entity) in text, f"docs/import.md is stale for {entity.name}"
    for preset in PRESETS.values():
        assert f"### `{preset.name}`" in text
        for header in preset.sample_header:
            assert header in text
    assert "POST /api/deals/bulk" in text
