"""The starter skills list and role-play library, seeded by migration 0002 and by
``seed_library`` (idempotent: existing rows are left as they are, so edits survive)."""

from __future__ import annotations

SKILLS = [
    ("Needs identification", "Finds out what the buyer actually needs before pitching."),
    ("Rapport building", "Earns trust and keeps the conversation two-way."),
    ("Objection handling", "Hears an objection out, tests it, answers the real concern."),
    ("Pain-point amplification", "Helps the buyer see the cost of doing nothing."),
    ("Closing", "Asks for the decision and agrees concrete next steps."),
    ("Product knowledge", "Explains what we sell accurately and in the buyer's terms."),
]

SCENARIOS = [
    {
        "title": "Agency sells cybersecurity consulting",
        "seller": "Account lead at a mid-size marketing agency",
        "selling": "A cybersecurity assessment from the agency's new consulting partner",
        "brief": (
            "Your agency has run this retailer's campaigns for three years. After a competitor "
            "was breached, the CMO mentioned worrying about customer data. You now resell a "
            "partner's two-week security assessment (USD 18,000). The CMO does not own the "
            "security budget and thinks 'IT has it covered'."
        ),
        "rubric": (
            "Asks what a breach would mean for the CMO's own goals before pitching\n"
            "Uses the existing relationship without leaning on it\n"
            "Handles 'IT has it covered' by asking, not arguing\n"
            "Gets a meeting with the IT lead as the next step"
        ),
        "skills": ["Needs identification", "Rapport building", "Objection handling", "Closing"],
    },
    {
        "title": "Price objection at renewal",
        "seller": "Account executive",
        "selling": "A renewal with a 12% price increase",
        "brief": (
            "A happy customer of two years opens the call with 'we will not accept any "
            "increase'. Usage grew 40% last year. Procurement joins for the second half."
        ),
        "rubric": (
            "Acknowledges the concern before answering it\n"
            "Quantifies the value delivered with the customer's own numbers\n"
            "Trades concessions, never gives them away\n"
            "Leaves with an agreed decision date"
        ),
        "skills": ["Objection handling", "Closing", "Product knowledge"],
    },
    {
        "title": "Discovery call with a busy operations director",
        "seller": "Account executive",
        "selling": "Our platform, to a first-time prospect",
        "brief": (
            "The director accepted 20 minutes after an email and says 'just show me the "
            "product'. Their team reconciles commissions in spreadsheets every month."
        ),
        "rubric": (
            "Earns the right to ask questions before any demo\n"
            "Finds the monthly cost of the spreadsheet process\n"
            "Summarises the pain back in the director's words\n"
            "Agrees a second meeting with the people who feel the pain"
        ),
        "skills": ["Needs identification", "Pain-point amplification", "Rapport building"],
    },
    {
        "title": "Solar installer sells to a sceptical homeowner",
        "seller": "Sales consultant at a residential solar installer",
        "selling": "Rooftop solar with a battery, financed over ten years",
        "brief": (
            "The homeowner read that panels do not pay back and fears a lien on the house. "
            "Their power bill doubled in two years and they work from home."
        ),
        "rubric": (
            "Asks about bills and plans before talking about panels\n"
            "Answers the payback worry with their own bills, not averages\n"
            "Explains the financing plainly, including what it is not\n"
            "Does not push for a signature on the first visit"
        ),
        "skills": ["Needs identification", "Objection handling", "Rapport building"],
    },
]


def seed_library(skill_model, scenario_model) -> None:
    """Create the missing skills and scenarios. Takes the model classes so that the data
    migration can pass its historical models."""
    skills = {}
    for position, (name, description) in enumerate(SKILLS, start=1):
        skills[name], _ = skill_model.objects.get_or_create(
            name=name, defaults={"description": description, "position": position}
        )
    for spec in SCENARIOS:
        fields = {k: v for k, v in spec.items() if k not in {"title", "skills"}}
        scenario, created = scenario_model.objects.get_or_create(
            title=spec["title"], defaults=fields
        )
        if created:
            scenario.skills.set([skills[name] for name in spec["skills"]])
