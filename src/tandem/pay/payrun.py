"""The pay run: work entries, floor top-ups, quality and completion bonuses. All or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict
from tandem.kit.money import Money, hourly_rate_minor, prorate_minor
from tandem.models import Expert, PayRun, Project
from tandem.models.enums import LedgerKind, WorkKind
from tandem.pay import repository
from tandem.pay.fx import FxTable
from tandem.pay.periods import Period
from tandem.pay.policy import PayPolicy
from tandem.pay.text import hours_text, split_by_share
from tandem.projects.pay_terms import PayModel, PayTerms

Progress = Callable[[int, int], None]


@dataclass
class Work:
    """One expert's time and items in one project over the period."""

    item_seconds: int = 0
    item_night: int = 0
    extra_seconds: int = 0  # guidelines and qualification tests
    extra_night: int = 0
    payable: int = 0
    reviewed: int = 0
    accepted: int = 0


@dataclass(frozen=True)
class RunResult:
    run_id: int
    period: str
    pairs: int
    entries_written: int
    entries_already_there: int


@dataclass(frozen=True)
class _Slot:
    """Where an entry goes: expert, project, currency and period."""

    expert_id: int
    project_id: int
    currency: str
    period: Period

    def row(
        self, kind: LedgerKind, amount: int, reason: str, what: str, **details: Any
    ) -> dict[str, Any]:
        return {
            "expert_id": self.expert_id,
            "project_id": self.project_id,
            "kind": kind,
            "amount_minor": amount,
            "currency": self.currency,
            "reason": reason,
            "period_start": self.period.start,
            "period_end": self.period.end,
            "dedupe_key": f"pay:{self.period.label}:{self.expert_id}:{self.project_id}:{what}",
            "details": details,
        }


def run_pay(
    db: Session, period: Period, policy: PayPolicy, progress: Progress | None = None
) -> RunResult:
    """Write the period's entries once; a re-run adds nothing, a failure writes nothing."""
    _check_no_overlap(db, period)
    try:
        with db.begin_nested():
            return _run(db, period, policy, progress)
    except IntegrityError:
        raise Conflict("another pay run wrote entries for this period at the same time") from None


def _check_no_overlap(db: Session, period: Period) -> None:
    for run in repository.overlapping_runs(db, period.start, period.end):
        if (run.period_start, run.period_end) != (period.start, period.end):
            raise Conflict(
                f"period {period.label} overlaps the paid period "
                f"{run.period_start}..{run.period_end}; pay runs must not overlap"
            )


def _run(db: Session, period: Period, policy: PayPolicy, progress: Progress | None) -> RunResult:
    as_of = utcnow()
    work = gather(db, period)
    experts = repository.experts(db, (e for e, _ in work))
    projects = repository.projects(db, (p for _, p in work))
    fx = FxTable.of(repository.fx_rows(db))
    rows: list[dict[str, Any]] = []
    terms = {p.id: PayTerms.model_validate(p.pay_terms) for p in projects.values()}
    for done, ((expert_id, project_id), w) in enumerate(sorted(work.items()), start=1):
        project = projects[project_id]
        rows += entries_for(experts[expert_id], project, terms[project_id], w, period, policy, fx)
        if progress:
            progress(done, len(work))
    bonuses = completion_bonuses(db, period, as_of)
    existing = repository.period_keys(db, period.start, period.end)
    existing |= repository.existing_keys(db, [r["dedupe_key"] for r in bonuses])
    rows += bonuses
    new = [r for r in rows if r["dedupe_key"] not in existing]
    run = PayRun(
        period_start=period.start,
        period_end=period.end,
        label=period.label,
        experts=len({e for e, _ in work}),
        entries_written=len(new),
    )
    db.add(run)
    db.flush()
    repository.insert_entries(db, [{**r, "pay_run_id": run.id} for r in new])
    return RunResult(run.id, period.label, len(work), len(new), len(rows) - len(new))


def gather(db: Session, period: Period) -> dict[tuple[int, int], Work]:
    """Time and item counts per (expert, project): two grouped queries."""
    work: dict[tuple[int, int], Work] = {}
    for expert_id, project_id, kind, active, night in repository.period_time(
        db, period.starts_at, period.ends_at
    ):
        if project_id is None:
            continue  # the query excludes these; the check narrows the type
        w = work.setdefault((expert_id, project_id), Work())
        if WorkKind(kind) is WorkKind.ITEM:
            w.item_seconds, w.item_night = w.item_seconds + int(active), w.item_night + int(night)
        else:
            w.extra_seconds += int(active)
            w.extra_night += int(night)
    rows = repository.period_items(db, period.starts_at, period.ends_at, utcnow())
    for expert_id, project_id, payable, reviewed, accepted in rows:
        w = work.setdefault((expert_id, project_id), Work())
        w.payable, w.reviewed, w.accepted = int(payable), int(reviewed), int(accepted)
    return work


def entries_for(
    expert: Expert,
    project: Project,
    terms: PayTerms,
    w: Work,
    period: Period,
    policy: PayPolicy,
    fx: FxTable,
) -> list[dict[str, Any]]:
    """Work, top-up and quality-bonus entries of one expert in one project."""
    slot = _Slot(expert.id, project.id, terms.currency, period)
    paid_extra = w.extra_seconds if terms.paid_guidelines_time else 0
    seconds = w.item_seconds + paid_extra
    rows = _work_rows(slot, terms, project, w, paid_extra)
    earned = sum(r["amount_minor"] for r in rows)
    topup = _topup_row(slot, terms, expert, seconds, earned, policy, fx)
    bonuses = _quality_rows(slot, w, earned, policy)
    if rows:
        rows[0]["details"]["effective_hourly_minor"] = hourly_rate_minor(earned, seconds)
    return rows + ([topup] if topup else []) + bonuses


def _work_rows(
    slot: _Slot, terms: PayTerms, project: Project, w: Work, paid_extra: int
) -> list[dict[str, Any]]:
    money = _fmt(slot.currency)
    rows = []
    if terms.model is PayModel.HOURLY:
        rate = terms.hourly_rate_minor or 0
        amount = prorate_minor(rate, w.item_seconds)
        reason = f"{hours_text(w.item_seconds)} active on items at {money(rate)}/h"
        extra_rate = rate
    else:
        rate = terms.per_item_minor or 0
        amount = w.payable * rate
        reason = f"{w.payable} payable items at {money(rate)} each"
        extra_rate = terms.effective_hourly_minor(project.time_estimate_seconds)
    if w.item_seconds or w.payable:
        details = {"seconds": w.item_seconds, "night_seconds": w.item_night, "items": w.payable}
        rows.append(slot.row(LedgerKind.WORK, amount, reason, "work", rate_minor=rate, **details))
    if paid_extra:
        reason = (
            f"{hours_text(paid_extra)} reading guidelines and taking tests at "
            f"{money(extra_rate)}/h (the project's rate at its time estimate)"
        )
        amount = prorate_minor(extra_rate, paid_extra)
        details = {"seconds": paid_extra, "night_seconds": w.extra_night, "items": 0}
        rows.append(
            slot.row(
                LedgerKind.WORK, amount, reason, "guidelines", rate_minor=extra_rate, **details
            )
        )
    return rows


def _topup_row(
    slot: _Slot,
    terms: PayTerms,
    expert: Expert,
    seconds: int,
    earned: int,
    policy: PayPolicy,
    fx: FxTable,
) -> dict[str, Any] | None:
    """Raise pay to max(project floor, local minimum wage) × active hours."""
    if seconds <= 0:
        return None
    money = _fmt(slot.currency)
    wage = policy.minimum_for(expert.country, slot.period.end)
    legal = (
        fx.convert(wage.hourly_minor, wage.currency, slot.currency, slot.period.end) if wage else 0
    )
    floor = max(terms.floor_hourly_minor or 0, legal)
    shortfall = prorate_minor(floor, seconds) - earned
    if shortfall <= 0:
        return None
    wage_text = (
        f"the minimum wage for {expert.country} {Money(wage.hourly_minor, wage.currency)!s}/h"
        if wage
        else "no minimum wage on file"
    )
    reason = (
        f"Top-up: you earned {money(earned)} for {hours_text(seconds)} "
        f"({money(hourly_rate_minor(earned, seconds))}/h); the floor is {money(floor)}/h, the "
        f"higher of the project floor {money(terms.floor_hourly_minor or 0)}/h and {wage_text}"
    )
    return slot.row(
        LedgerKind.FLOOR_TOPUP, shortfall, reason, "topup", floor_minor=floor, seconds=seconds
    )


def _quality_rows(slot: _Slot, w: Work, earned: int, policy: PayPolicy) -> list[dict[str, Any]]:
    rows = []
    for rule in policy.quality_bonuses:
        if w.reviewed < rule.min_reviewed or w.accepted < rule.min_accepted_share * w.reviewed:
            continue
        amount = (earned * rule.percent_of_work + 50) // 100
        if amount <= 0:
            continue
        reason = (
            f"Quality bonus '{rule.name}': {w.accepted} of {w.reviewed} reviewed items accepted "
            f"(at least {rule.min_accepted_share:.0%} needed), {rule.percent_of_work}% of "
            f"{_fmt(slot.currency)(earned)} work pay"
        )
        rows.append(slot.row(LedgerKind.BONUS, amount, reason, f"quality:{rule.name}"))
    return rows


def completion_bonuses(db: Session, period: Period, as_of: datetime) -> list[dict[str, Any]]:
    """Each completed project's bonus pool, split by the experts' shares of payable items."""
    rows = []
    for project in repository.completed_projects(db):
        terms = PayTerms.model_validate(project.pay_terms)
        if terms.completion_bonus_minor > 0:
            shares = [(e, int(n)) for e, n in repository.payable_shares(db, project.id, as_of)]
            rows += _bonus_rows(project, terms, shares, period)
    return rows


def _bonus_rows(
    project: Project, terms: PayTerms, shares: list[tuple[int, int]], period: Period
) -> list[dict[str, Any]]:
    pool, total = terms.completion_bonus_minor, sum(n for _, n in shares)
    amounts = split_by_share(pool, [n for _, n in shares])
    rows = []
    for (expert_id, count), amount in zip(shares, amounts, strict=True):
        if amount <= 0:
            continue
        reason = (
            f"Completion bonus for '{project.name}': you did {count} of {total} payable items, "
            f"your share of the {_fmt(terms.currency)(pool)} pool"
        )
        slot = _Slot(expert_id, project.id, terms.currency, period)
        row = slot.row(LedgerKind.BONUS, amount, reason, "completion", items=count)
        row["dedupe_key"] = f"completion:{project.id}:{expert_id}"  # once per project, ever
        rows.append(row)
    return rows


def _fmt(currency: str) -> Callable[[int], str]:
    return lambda minor: str(Money(minor, currency))
