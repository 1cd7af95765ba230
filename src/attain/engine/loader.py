"""Loading plans from YAML, with errors that name the file, the path and the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .conditions import ConditionError, ValueType, parse_condition
from .errors import PlanError, RuleError
from .spec import PathError, Plan

# Columns a condition may use when a plan is loaded on its own; a calculation re-checks the
# conditions against the columns the credits table really has.
STANDARD_CONDITION_COLUMNS: dict[str, ValueType] = {
    "credit_id": "string",
    "deal_id": "string",
    "rep_id": "string",
    "role": "string",
    "share": "number",
    "event_date": "date",
    "cancellation_date": "date",
    "amount": "number",
    "margin": "number",
    "units": "number",
    "currency": "string",
    "product_family": "string",
    "product_id": "string",
    "deal_type": "string",
    "account_id": "string",
    "industry": "string",
    "region": "string",
    "territory_id": "string",
    "stage": "string",
}


class _DecimalLoader(yaml.SafeLoader):
    """Safe YAML where numbers with a fraction become exact ``Decimal``s, never floats."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a decimal number", node.start_mark
        ) from None


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _line_of(root: yaml.Node | None, path: Sequence[Any]) -> int | None:
    """The 1-based line of ``path`` in the composed YAML tree, as deep as it resolves."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if getattr(k, "value", None) == str(key)]
            if not match:
                break
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _dotted(path: Sequence[Any]) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Parse and validate one plan document; raise ``PlanError`` naming source, path, reason."""
    try:
        data = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = f"not valid YAML: {getattr(error, 'problem', error)}"
        raise PlanError(source, "", reason, line) from None
    if not isinstance(data, dict):
        raise PlanError(source, "", "a plan is a YAML mapping (key: value)")
    try:
        plan = Plan.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        path = [p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        reason = first["msg"].removeprefix("Value error, ")
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, PathError):
            path = [*path, *cause.path]
            reason = str(cause)
        raise PlanError(source, _dotted(path), reason, _line_of(root, path)) from None
    check_conditions(plan, STANDARD_CONDITION_COLUMNS, source, root)
    return plan


def check_conditions(
    plan: Plan,
    columns: dict[str, ValueType],
    source: str | None = None,
    root: yaml.Node | None = None,
) -> None:
    """Parse every condition of ``plan`` against ``columns``; the first bad one raises."""
    for path, text in condition_texts(plan):
        try:
            parse_condition(text, columns)
        except ConditionError as error:
            raise PlanError(
                source or f"plan {plan.id} v{plan.version}",
                _dotted(path),
                str(error),
                _line_of(root, path),
            ) from None


def condition_texts(plan: Plan) -> Iterable[tuple[list[Any], str]]:
    for name, measure in plan.measures.items():
        if measure.where:
            yield ["measures", name, "where"], measure.where
    for c_index, component in enumerate(plan.components):
        for m_index, multiplier in enumerate(component.modifiers.multipliers):
            if multiplier.when:
                path = ["components", c_index, "modifiers", "multipliers", m_index, "when"]
                yield path, multiplier.when
    for s_index, spiff in enumerate(plan.spiffs):
        if spiff.where:
            yield ["spiffs", s_index, "where"], spiff.where


def load_plan(path: str | Path) -> Plan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanError(str(path), "", f"cannot read: {error.strerror}") from None
    return parse_plan(text, str(path))


def load_plans(directory: str | Path) -> list[Plan]:
    """Every ``*.yaml``/``*.yml`` plan under ``directory``, sorted by file name."""
    files = sorted(Path(directory).glob("*.y*ml"))
    return [load_plan(f) for f in files]


def select_plan_version(plans: Iterable[Plan], plan_id: str, as_of: dt.date) -> Plan:
    """The one version of ``plan_id`` in force on ``as_of``; missing or ambiguous is an error."""
    versions = [p for p in plans if p.id == plan_id]
    if not versions:
        raise RuleError(f"no plan {plan_id!r} was given")
    in_force = [p for p in versions if p.in_force_on(as_of)]
    if not in_force:
        known = ", ".join(f"v{p.version} {p.valid_from}..{p.valid_to or ''}" for p in versions)
        raise RuleError(f"no version of plan {plan_id!r} is in force on {as_of} ({known})")
    if len(in_force) > 1:
        listed = ", ".join(f"v{p.version}" for p in in_force)
        raise RuleError(f"plan {plan_id!r} is ambiguous on {as_of}: {listed} are all in force")
    return in_force[0]
