"""The product catalogue: four families with different margins.

Software sells at a high margin, services at a thin one, hardware in between, so a plan
paying on margin ranks reps differently from one paying on revenue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    family: str
    list_price_cents: int
    unit_cost_cents: int
    quantity_median: float  # typical quantity on a deal line before size multipliers
    weight: float  # how often it appears on deal lines


PRODUCTS = (
    Product("PLT-CORE", "Attain Core (seat, yearly)", "Platform", 120_000, 15_000, 25, 10),
    Product("PLT-PLUS", "Attain Plus (seat, yearly)", "Platform", 216_000, 26_000, 18, 6),
    Product(
        "PLT-ENT", "Attain Enterprise Suite (site, yearly)", "Platform", 4_800_000, 600_000, 1, 2
    ),
    Product("ANL-INS", "Insights Analytics (seat, yearly)", "Analytics", 60_000, 9_000, 20, 4),
    Product("ANL-FCST", "Forecast AI (seat, yearly)", "Analytics", 90_000, 18_000, 12, 3),
    Product("ANL-CONN", "Data Connector Pack", "Analytics", 750_000, 120_000, 2, 2),
    Product("SVC-IMPL", "Implementation (day)", "Services", 180_000, 115_000, 10, 5),
    Product("SVC-TRN", "Training (day)", "Services", 120_000, 70_000, 3, 3),
    Product("SVC-PSUP", "Premium Support (yearly)", "Services", 950_000, 480_000, 1, 3),
    Product("HW-GATE", "Edge Gateway", "Hardware", 240_000, 130_000, 4, 2),
    Product("HW-SENS", "Sensor Kit", "Hardware", 45_000, 22_000, 20, 2),
    Product("HW-TAB", "Rugged Tablet", "Hardware", 110_000, 60_000, 8, 2),
)

FAMILIES = tuple(dict.fromkeys(p.family for p in PRODUCTS))
# Overlay specialists are credited on deals that include one of these families.
OVERLAY_FAMILIES = ("Analytics",)

LIST_PRICE = np.array([p.list_price_cents for p in PRODUCTS], dtype=np.int64)
UNIT_COST = np.array([p.unit_cost_cents for p in PRODUCTS], dtype=np.int64)
QUANTITY_MEDIAN = np.array([p.quantity_median for p in PRODUCTS])
PRODUCT_WEIGHT = np.array([p.weight for p in PRODUCTS]) / sum(p.weight for p in PRODUCTS)
FAMILY_INDEX = np.array([FAMILIES.index(p.family) for p in PRODUCTS], dtype=np.int8)
IS_OVERLAY_PRODUCT = np.array([p.family in OVERLAY_FAMILIES for p in PRODUCTS])
