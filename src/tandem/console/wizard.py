"""The project wizard: HTML form fields to project data, with errors that name the field.

Amounts are typed in major units ("12.50") and stored in minor units; form errors name
the question (position and id) as well as the setting, so a requester finds it at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.kit.errors import ValidationFailed, field_error
from tandem.kit.money import Money, exponent
from tandem.models import Project
from tandem.projects import service as projects
from tandem.projects.forms import Form, parse_form
from tandem.projects.pay_terms import PayTerms, QualityPolicy
from tandem.projects.schemas import ProjectCreate, ProjectUpdate

# HTML field name -> (pay terms attribute) for amounts typed in major units
AMOUNTS = {
    "hourly_rate": "hourly_rate_minor",
    "per_item": "per_item_minor",
    "floor_hourly": "floor_hourly_minor",
    "completion_bonus": "completion_bonus_minor",
}
POLICY_FIELDS = ("gold_rate", "review_sample_rate", "min_trust")
PLAIN_FIELDS = ("name", "description", "guidelines", "overlap", "time_estimate_seconds")
Errors = dict[str, list[str]]


def to_minor(text: str, currency: str) -> int | None:
    """Minor units from a major-unit amount such as "12.50" (None when left empty)."""
    if not text.strip():
        return None
    try:
        minor = Decimal(text.strip().replace(",", "")) * 10 ** exponent(currency)
    except InvalidOperation:
        raise ValueError("enter an amount such as 12.50") from None
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} has {exponent(currency)} decimal places")
    return int(minor)


def to_major(minor: int | None, currency: str) -> str:
    """The amount as typed in the wizard (empty for None)."""
    if minor is None:
        return ""
    exp = exponent(currency)
    return f"{Decimal(minor) / 10**exp:.{exp}f}"


def _field_for(loc: list[Any]) -> str:
    # the HTML field an error belongs next to
    head = str(loc[0]) if loc else "form"
    if head == "pay_terms":
        tail = str(loc[1]) if len(loc) > 1 else ""
        return next((k for k, v in AMOUNTS.items() if v == tail), "pay_model")
    if head == "quality_policy":
        return str(loc[1]) if len(loc) > 1 else "gold_rate"
    return "form_json" if head == "form" else head


def _question_name(raw: Any, loc: list[Any]) -> str:
    """'question 2 (topic)' for a loc inside the form's questions, else ''."""
    if len(loc) < 3 or loc[:2] != ["form", "questions"] or not isinstance(loc[2], int):
        return ""
    try:
        qid = raw["questions"][loc[2]].get("id", "?")
    except (KeyError, IndexError, TypeError, AttributeError):
        qid = "?"
    return f"question {loc[2] + 1} ({qid})"


def describe(errors: list[dict[str, Any]], raw_form: Any = None) -> Errors:
    """Messages grouped by HTML field; form errors name the question and its setting."""
    grouped: Errors = {}
    for err in errors:
        loc = list(err.get("loc", []))
        msg = str(err.get("msg", ""))
        where = _question_name(raw_form, loc)
        if where:
            setting = ".".join(str(p) for p in loc[3:])
            msg = f"{where}: {setting + ': ' if setting else ''}{msg}"
        grouped.setdefault(_field_for(loc), []).append(msg)
    return grouped


def read_form_json(text: str) -> tuple[Any, Form | None, Errors]:
    """The raw JSON, the parsed form and the errors of the form builder's text."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        return None, None, {"form_json": [msg]}
    try:
        return raw, parse_form(raw), {}
    except ValidationFailed as exc:
        return raw, None, describe(exc.errors, raw)


def _pay_terms(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    currency = str(data.get("currency", "USD")).strip().upper() or "USD"
    terms: dict[str, Any] = {"model": str(data.get("pay_model", "")), "currency": currency}
    errors: Errors = {}
    for field, attr in AMOUNTS.items():
        try:
            amount = to_minor(str(data.get(field, "")), currency)
        except ValueError as exc:
            errors[field] = [str(exc)]
            continue
        if amount is not None:
            terms[attr] = amount
    return terms, errors


def pay_preview(data: Mapping[str, Any]) -> tuple[dict[str, str], Errors]:
    """Item pay and effective hourly rate at the time estimate, as display strings."""
    terms, errors = _pay_terms(data)
    try:
        estimate = int(str(data.get("time_estimate_seconds", "")))
        pay = PayTerms.model_validate(terms)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        errs = exc.errors() if isinstance(exc, ValidationError) else []
        errors.setdefault("pay_model", []).extend(str(e["msg"]) for e in errs)
        return {}, errors or {"time_estimate_seconds": ["enter whole seconds"]}
    if estimate <= 0:
        return {}, {"time_estimate_seconds": ["must be above 0"]}
    item = Money(pay.estimated_item_pay_minor(estimate), pay.currency)
    hourly = Money(pay.effective_hourly_minor(estimate), pay.currency)
    return {"item": str(item), "hourly": str(hourly)}, errors


def _values(data: Mapping[str, Any], base_policy: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    raw, _, errors = read_form_json(str(data.get("form_json", "")))
    terms, pay_errors = _pay_terms(data)
    values: dict[str, Any] = {k: str(data.get(k, "")) for k in PLAIN_FIELDS}
    policy = dict(base_policy) | {k: str(data.get(k, "")) for k in POLICY_FIELDS}
    values |= {"form": raw if isinstance(raw, dict) else {}, "pay_terms": terms}
    values["quality_policy"] = policy
    return values, errors | pay_errors


def _validated(model: type[ProjectCreate] | type[ProjectUpdate], values: dict[str, Any]) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = [field_error(list(e["loc"]), e["msg"]) for e in exc.errors()]
        raise WizardInvalid(describe(errors, values.get("form"))) from None


class WizardInvalid(ValidationFailed):
    """The wizard's fields are wrong; `fields` holds the messages per HTML field."""

    def __init__(self, fields: Errors) -> None:
        errors = [field_error([k], m) for k, msgs in fields.items() for m in msgs]
        super().__init__("Some fields need attention", errors=errors)
        self.fields = fields


def create(db: Session, actor: Actor, data: Mapping[str, Any]) -> Project:
    """A draft project from the wizard's fields, or WizardInvalid naming each field."""
    values, errors = _values(data, QualityPolicy().model_dump())
    values["org_id"] = str(data.get("org_id", ""))
    if errors:
        raise WizardInvalid(errors)
    return projects.create_project(db, actor, _validated(ProjectCreate, values))


def update(db: Session, actor: Actor, project_id: int, data: Mapping[str, Any]) -> Project:
    """Apply the wizard's fields to a project the caller manages."""
    project = projects.project_for_manager(db, actor, project_id)
    values, errors = _values(data, dict(project.quality_policy))
    if errors:
        raise WizardInvalid(errors)
    return projects.update_project(db, actor, project_id, _validated(ProjectUpdate, values))


def fields_of(project: Project) -> dict[str, Any]:
    """The wizard's field values for an existing project."""
    terms, policy = dict(project.pay_terms), dict(project.quality_policy)
    currency = str(terms.get("currency", "USD"))
    fields: dict[str, Any] = {k: getattr(project, k) for k in PLAIN_FIELDS}
    fields |= {k: to_major(terms.get(v), currency) for k, v in AMOUNTS.items()}
    fields |= {k: policy.get(k, "") for k in POLICY_FIELDS}
    fields |= {"pay_model": terms.get("model"), "currency": currency, "org_id": project.org_id}
    fields["form_json"] = json.dumps(project.form, indent=2)
    return fields
