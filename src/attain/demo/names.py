"""Word lists for names of people and companies."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    """
    Aaliyah Aaron Abigail Adam Adrian Aisha Alan Alejandro Alex Alice Amara Amy Andre Andrea
    Angela Anthony Ava Ben Bianca Brandon Brian Caleb Camila Carla Carlos Carmen Chloe Chris
    Claire Daniel Daria David Deepa Diego Dmitri Elena Eli Elijah Emily Emma Eric Ethan Fatima
    Felix Fiona Gabriel Grace Hannah Hector Ian Imani Isaac Isabel Jack Jacob Jada James Jasmine
    Javier Jenna Jin Jordan Jose Julia Kai Karen Kevin Kim Laura Leo Liam Lily Lucas Lucia
    Maria Mark Maya Mei Michael Mila Naomi Nathan Nina Noah Olivia Omar Owen Priya Rachel Raj
    Rosa Ryan Samir Sara Sean Sofia Tariq Tom Valeria Victor Wei Yusuf Zoe
    """
)

LAST_NAMES = _words(
    """
    Abbott Adams Ahmed Alvarez Anderson Bailey Baker Banerjee Bennett Brooks Campbell Carter
    Castillo Chen Clark Collins Cooper Cruz Davis Diaz Edwards Evans Fischer Flores Foster
    Garcia Gomez Gonzalez Gray Green Gupta Hall Harris Hayes Hernandez Hill Hughes Ito Jackson
    James Jensen Johnson Jones Kaur Kelly Khan Kim King Kowalski Lee Lewis Lopez Martin
    Martinez Mendoza Miller Mitchell Moore Morales Morgan Murphy Nguyen Novak Okafor Ortiz
    Park Patel Perez Peterson Phillips Price Ramirez Reed Reyes Richardson Rivera Roberts
    Robinson Rodriguez Rogers Ross Russell Sanchez Santos Schmidt Scott Shah Silva Singh Smith
    Stewart Sullivan Tanaka Taylor Thomas Thompson Torres Turner Walker Wang Ward Watson White
    Williams Wilson Wright Young Zhang
    """
)

COMPANY_FIRST = _words(
    """
    Acme Apex Arbor Atlas Aurora Beacon Blue Bright Cascade Cedar Summit Clear Coastal Copper
    Crescent Crown Delta Eagle Echo Emerald Evergreen Falcon First Frontier Golden Granite
    Harbor Heritage Horizon Iron Keystone Lakeside Liberty Lone Maple Meridian Metro Monarch
    Northern Oak Pacific Peak Pine Pioneer Prairie Prime Quantum Red Redwood River Rocky Sierra
    Silver Smart Spring Star Sterling Stone Sun True Union United Valley Vertex Vista West
    """
)

COMPANY_SECOND = _words(
    """
    Analytics Bridge Capital Care Dynamics Foods Freight Grid Group Health Industries
    Labs Logistics Machines Media Medical Metals Networks Partners Power Robotics Systems
    Solutions Supply Technologies Tools Ventures Works
    """
)

COMPANY_SUFFIX = ("Inc", "LLC", "Corp", "Co", "Ltd", "Holdings", "Inc", "Inc")

INDUSTRIES = (
    "Software",
    "Manufacturing",
    "Healthcare",
    "Financial Services",
    "Retail",
    "Logistics",
    "Energy",
    "Education",
    "Construction",
    "Media",
    "Hospitality",
    "Public Sector",
)
# How common each industry is among accounts (same order as INDUSTRIES).
INDUSTRY_WEIGHTS = (16, 14, 12, 11, 10, 8, 6, 6, 6, 4, 4, 3)
