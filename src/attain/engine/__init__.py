"""Attain's compensation engine: plans as code, compiled to SQL, exact and explained.

A pure library: no Django import anywhere under this package.
"""

from .calculate import calculate
from .errors import EngineError, InputError, PlanError, RuleError
from .loader import load_plan, load_plans, parse_plan
from .results import Result
from .spec import Plan, plan_json_schema

__all__ = [
    "EngineError",
    "InputError",
    "Plan",
    "PlanError",
    "Result",
    "RuleError",
    "calculate",
    "load_plan",
    "load_plans",
    "parse_plan",
    "plan_json_schema",
]
