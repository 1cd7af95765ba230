from __future__ import annotations

from django import forms

from attain.imports.presets import PRESETS
from attain.imports.specs import ENTITIES


class ImportForm(forms.Form):
    entity = forms.ChoiceField(choices=[(name, name.replace("_", " ")) for name in ENTITIES])
    preset = forms.ChoiceField(
        required=False,
        choices=[("", "none (Attain columns)")] + [(p.name, p.title) for p in PRESETS.values()],
        help_text="Only for deals: map a CRM export's columns.",
    )
    file = forms.FileField(help_text="CSV (UTF-8; comma, semicolon, tab or pipe) or XLSX.")
    sheet = forms.CharField(required=False, max_length=100, help_text="XLSX only; default first.")
    dry_run = forms.BooleanField(
        required=False,
        initial=True,
        label="Dry run (show what would change, write nothing)",
        label_suffix="",
    )

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset and data.get("entity") and PRESETS[preset].entity != data["entity"]:
            self.add_error("preset", f"the {preset} preset imports {PRESETS[preset].entity}")
        return data
