"""A statement as PDF (fpdf2): header, summary, components, every line with its
explanation (wrapped), totals and page numbers.

fpdf2 ships no Unicode font, so the PDF uses the core Helvetica font, whose text is
limited to Latin-1: characters outside it are replaced by readable ASCII ("×" → "x",
"€" → "EUR ", "→" → "->") so explanations stay legible and searchable.
"""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace

from attain.payouts.statements import Statement, describe_correction
from attain.reports.selectors import format_money

REPLACEMENTS = {
    "×": "x",
    "€": "EUR ",
    "→": "->",
    "←": "<-",
    "–": "-",
    "—": "-",
    "−": "-",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "…": "...",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "•": "*",
    "›": ">",
    "‹": "<",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
}


def latin1(text: object) -> str:
    """``text`` with every character the core fonts can show (others replaced)."""
    value = "" if text is None else str(text)
    for char, replacement in REPLACEMENTS.items():
        value = value.replace(char, replacement)
    return value.encode("latin-1", errors="replace").decode("latin-1")


def _money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "-"
    return latin1(format_money(amount, currency))


class StatementPDF(FPDF):
    def __init__(self, title: str, draft: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.statement_title = latin1(title)
        self.draft = draft
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.set_text_color(100, 100, 100)
        self.cell(0, 5, self.statement_title, new_x="LMARGIN", new_y="NEXT")
        if self.draft:
            self.set_text_color(185, 28, 28)
            self.cell(0, 5, "DRAFT - NOT APPROVED", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(100, 100, 100)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def statement_pdf(statement: Statement) -> bytes:
    run, rep, currency = statement.run, statement.rep, statement.currency
    title = f"Pay statement - {rep.name} - {statement.period}"
    pdf = StatementPDF(title, statement.is_draft)
    pdf.set_title(latin1(title))
    pdf.set_author("Attain")
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, latin1(f"Pay statement: {rep.name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    facts = [
        ("Rep", f"{rep.name} ({rep.external_id})"),
        ("Pay period", statement.period),
        ("Plan(s)", ", ".join(statement.plans) or "-"),
        ("Run", f"#{run.pk}, {run.get_status_display().lower()}, as of {run.as_of:%Y-%m-%d}"),
    ]
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(30, 6, latin1(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
    if statement.is_draft:
        pdf.set_text_color(185, 28, 28)
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(
            0, 6, "Draft - not approved. Amounts may change before finance approves the run."
        )
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)

    _heading(pdf, "Summary")
    rows = [
        ("Earnings (after caps)", statement.earnings),
        ("Cap reductions", -statement.cap_reductions if statement.cap_reductions else None),
        ("Clawbacks", statement.clawbacks),
        ("Adjustments", statement.adjustments),
        ("Draws", statement.draws),
        (
            "Held / released on cash",
            statement.held_or_released if statement.shows_cash else None,
        ),
    ]
    still_held = statement.still_held if statement.shows_cash else None
    pdf.set_font("Helvetica", "", 10)
    for label, amount in rows:
        if amount is None:
            continue
        pdf.cell(70, 6, label)
        pdf.cell(40, 6, _money(amount, currency), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(70, 7, "Net pay")
    pdf.cell(40, 7, _money(statement.net_pay, currency), align="R", new_x="LMARGIN", new_y="NEXT")
    for other, amount in statement.other_currencies.items():
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(70, 6, f"Net pay in {other}")
        pdf.cell(40, 6, _money(amount, other), align="R", new_x="LMARGIN", new_y="NEXT")
    if still_held is not None:
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(70, 6, "Still held until paid")
        pdf.cell(40, 6, _money(still_held, currency), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    if statement.components:
        _heading(pdf, "Components")
        pdf.set_font("Helvetica", "", 9)
        with pdf.table(
            col_widths=(50, 28, 28, 22, 26, 26),
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 243)),
            line_height=5,
        ) as table:
            table.row(["Component", "Measure", "Quota", "Attainment", "Cap reduction", "Earned"])
            for c in statement.components:
                table.row(
                    [
                        latin1(f"{c.plan_id} / {c.component_id}"),
                        "-" if c.measure is None else latin1(format_money(c.measure, currency)),
                        _money(c.quota, currency) if c.quota is not None else "-",
                        "-" if c.attainment is None else f"{c.attainment}%",
                        _money(c.cap_reduction, currency),
                        _money(c.net, currency),
                    ]
                )
        pdf.ln(3)

    _heading(pdf, "Lines")
    pdf.set_font("Helvetica", "", 8)
    if not statement.lines:
        pdf.cell(0, 6, "No lines in this run for this rep.", new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(
            col_widths=(12, 22, 30, 22, 76, 24),
            text_align=("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 243)),
            line_height=4,
            repeat_headings=1,
        ) as table:
            table.row(["#", "Kind", "Component", "Deal", "Explanation", "Amount"])
            for line in statement.lines:
                explanation = line.explanation
                correction = describe_correction(line)
                if correction:
                    explanation = f"{explanation} ({correction})"
                if line.cap_reduction:
                    explanation += (
                        f" Cap reduced it by {format_money(line.cap_reduction, line.currency)}."
                    )
                table.row(
                    [
                        str(line.pk),
                        latin1(line.get_kind_display()),
                        latin1(line.component_id or "-"),
                        latin1(line.deal_ref or "-"),
                        latin1(explanation),
                        _money(line.amount, line.currency),
                    ]
                )
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 10)
        amount_width = pdf.epw * 24 / 186  # the amount column's share of the table
        pdf.cell(pdf.epw - amount_width, 6, "Net pay", align="R")
        pdf.cell(amount_width, 6, _money(statement.net_pay, currency), align="R")
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
