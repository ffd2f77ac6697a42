"""The allocator: reserve items for each expert inside their own hours, fairly.

Each eligible expert gets a share of the free slots in proportion to their declared
available hours in the next 24 hours (in their own time zone) × a trust factor, capped by
what fits in those hours. A reservation is held from the start of its window until the
window's end plus a grace period; then it is released to the next run. Running it again
only tops up what is missing: it is idempotent.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tandem.dispatch import repository
from tandem.dispatch.eligibility import NEW_EXPERT_TRUST, why_not_eligible
from tandem.dispatch.fair_share import fair_targets
from tandem.dispatch.schemas import AllocationOut
from tandem.dispatch.windows import Window, next_day_windows, seconds_in
from tandem.models import Expert, Project
from tandem.models.enums import AssignmentStatus, ProjectStatus
from tandem.projects.pay_terms import QualityPolicy
from tandem.wellbeing import gate


@dataclass
class _Plan:
    expert_id: int
    windows: list[Window]
    weight: float
    capacity: int
    held: int
    need: int = 0
    slots: list[Window] = field(default_factory=list)


def allocate(db: Session, project: Project, now: datetime) -> AllocationOut:
    """Release stale reservations and top up every eligible expert's fair share."""
    released = repository.release_stale_reservations(db, project.id, now)
    if project.status != ProjectStatus.LIVE:
        return AllocationOut(
            project_id=project.id, experts=0, released=released, reserved=0, open_pool_slots=0
        )
    plans = _plans(db, project, now)
    supply = repository.free_pool_slots(db, project.id, project.overlap)
    targets = fair_targets(
        [p.weight for p in plans], [p.capacity for p in plans], supply + sum(p.held for p in plans)
    )
    for plan, target in zip(plans, targets, strict=True):
        plan.need = max(0, target - plan.held)
        plan.slots = _spread(plan.need, plan.windows)
    reserved = _reserve(db, project, plans, now)
    return AllocationOut(
        project_id=project.id,
        experts=len(plans),
        released=released,
        reserved=reserved,
        open_pool_slots=supply - reserved,
    )


def _plans(db: Session, project: Project, now: datetime) -> list[_Plan]:
    held = repository.live_reservations(db, project.id, now)
    trust = repository.trust_scores(db, project.id)
    owners = repository.org_owner_user_ids(db, project.org_id)
    plans = []
    for expert in repository.admitted_experts(db):
        roles = owners.get(expert.user_id, set())
        if why_not_eligible(db, expert, project, now, roles) is not None:
            continue
        windows = _reservable(db, expert, project, now)
        seconds = seconds_in(windows)
        if seconds <= 0:
            continue
        plans.append(
            _Plan(
                expert_id=expert.id,
                windows=windows,
                # trust factor 0.5..1.5: newcomers (0.5) are never starved
                weight=seconds / 3600 * (0.5 + trust.get(expert.id, NEW_EXPERT_TRUST)),
                capacity=int(seconds // max(project.time_estimate_seconds, 1)),
                held=held.get(expert.id, 0),
            )
        )
    return plans


def _reservable(db: Session, expert: Expert, project: Project, now: datetime) -> list[Window]:
    windows = next_day_windows(expert.availability, expert.time_zone, now)
    return gate.reservable_windows(db, expert, project, windows, now) if windows else []


def _spread(count: int, windows: list[Window]) -> list[Window]:
    """One window per reservation, in proportion to window length, earliest first."""
    lengths = [(end - start).total_seconds() for start, end in windows]
    per_window = fair_targets(lengths, [count] * len(windows), count)
    return [w for w, n in zip(windows, per_window, strict=True) for _ in range(n)]


def _reserve(db: Session, project: Project, plans: list[_Plan], now: datetime) -> int:
    grace = timedelta(
        minutes=QualityPolicy.model_validate(project.quality_policy).reservation_grace_minutes
    )
    had = repository.pairs_held(db, project.id) if any(p.need for p in plans) else set()
    heap = [(-p.need, i) for i, p in enumerate(plans) if p.need > 0]
    heapq.heapify(heap)
    total = 0
    for batch in repository.free_item_batches(db, project.id, project.overlap):
        if not heap:
            break
        rows = []
        for item_id, free in batch:
            for plan in _takers(heap, plans, had, item_id, free):
                start, end = plan.slots.pop(0)
                rows.append(
                    _reservation_row(project.id, item_id, plan.expert_id, start, end + grace, now)
                )
        repository.insert_reservations(db, rows)
        total += len(rows)
    return total


def _takers(
    heap: list[tuple[int, int]],
    plans: list[_Plan],
    had: set[tuple[int, int]],
    item_id: int,
    free: int,
) -> list[_Plan]:
    """Up to `free` experts with the most work still owed who never had this item."""
    chosen: list[int] = []
    passed: list[tuple[int, int]] = []
    while heap and len(chosen) < free:
        entry = heapq.heappop(heap)
        if (item_id, plans[entry[1]].expert_id) in had:
            passed.append(entry)
        else:
            chosen.append(entry[1])
    for entry in passed:
        heapq.heappush(heap, entry)
    for i in chosen:
        plans[i].need -= 1
        if plans[i].need > 0:
            heapq.heappush(heap, (-plans[i].need, i))
    return [plans[i] for i in chosen]


def _reservation_row(
    project_id: int,
    item_id: int,
    expert_id: int,
    start: datetime,
    until: datetime,
    now: datetime,
) -> dict[str, object]:
    return {
        "project_id": project_id,
        "item_id": item_id,
        "expert_id": expert_id,
        "status": AssignmentStatus.RESERVED,
        "source": "reservation",
        "window_start": start,
        "reserved_until": until,
        "created_at": now,
    }


def allocate_live_projects(db: Session, now: datetime) -> list[AllocationOut]:
    """One allocation run over every live project (the hourly scheduler's job)."""
    return [allocate(db, p, now) for p in repository.live_projects(db)]
