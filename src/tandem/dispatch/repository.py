"""SQL of dispatch outside the pool-claim hot path (that is `tandem.dispatch.claims`):
gold claims, lapsed leases and stale reservations, slots, allocation and status reads.

PostgreSQL: candidate rows are locked with FOR UPDATE SKIP LOCKED so concurrent claims
spread over different rows, and the outer WHERE is re-checked on the locked row.
SQLite: every transaction is BEGIN IMMEDIATE (tandem.db.session), so claims are serialized.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from tandem.models import (
    Assignment,
    Expert,
    Item,
    Membership,
    Project,
    Submission,
    Trust,
)
from tandem.models.enums import AssignmentStatus, ExpertStatus, ItemStatus, ProjectStatus, Role

FETCH = {"synchronize_session": "fetch"}


def _free_slot(item_id: Any, overlap: int) -> Any:
    return (
        update(Item)
        .where(and_(Item.id == item_id, Item.taken < overlap))
        .values(taken=Item.taken + 1)
        .returning(Item.id)
        .execution_options(**FETCH)
    )


def claim_gold_item(db: Session, project_id: int, expert_id: int) -> int | None:
    """A gold item the expert never had (gold is not bound by overlap); its id."""
    already = exists().where(Assignment.item_id == Item.id, Assignment.expert_id == expert_id)
    candidate = (
        select(Item.id)
        .where(Item.project_id == project_id, Item.is_gold == true(), ~already)
        .order_by(Item.taken, Item.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        update(Item)
        .where(Item.id == candidate)
        .values(taken=Item.taken + 1)
        .returning(Item.id)
        .execution_options(**FETCH)
    )
    return db.scalar(stmt)


def _lapse_statement(status: AssignmentStatus, target: AssignmentStatus) -> Any:
    # built once: this runs inside every claim, so it must cost next to nothing
    t = cast(Table, Assignment.__table__)
    deadline = t.c.lease_expires_at if status is AssignmentStatus.ACTIVE else t.c.reserved_until
    return (
        update(t)
        .where(t.c.project_id == bindparam("p"), t.c.status == status, deadline <= bindparam("now"))
        .values(status=target, closed_at=bindparam("closed"))
        .returning(t.c.id, t.c.item_id)
    )


_RELEASE_RESERVATIONS = _lapse_statement(AssignmentStatus.RESERVED, AssignmentStatus.RELEASED)


def _lapse_both_statement() -> Any:
    t = cast(Table, Assignment.__table__)
    active = and_(t.c.status == AssignmentStatus.ACTIVE, t.c.lease_expires_at <= bindparam("now"))
    held = and_(t.c.status == AssignmentStatus.RESERVED, t.c.reserved_until <= bindparam("now"))
    status = t.c.status.type
    return (
        update(t)
        .where(t.c.project_id == bindparam("p"), or_(active, held))
        .values(
            status=case(
                # typed literals: the column stores enum names, not values
                (t.c.status == AssignmentStatus.ACTIVE, literal(AssignmentStatus.EXPIRED, status)),
                else_=literal(AssignmentStatus.RELEASED, status),
            ),
            closed_at=bindparam("closed"),
        )
        .returning(t.c.id, t.c.item_id)
    )


_LAPSE_BOTH = _lapse_both_statement()


def _forget(db: Session, model: type[Any], ids: Sequence[int]) -> None:
    """Expire cached copies of rows changed by a Core statement behind the ORM's back."""
    for row_id in ids:
        cached = db.identity_map.get(identity_key(model, row_id))
        if cached is not None:
            db.expire(cached)


def _close_lapsed(db: Session, project_id: int, now: datetime, statement: Any) -> int:
    rows = db.execute(statement, {"p": project_id, "now": now, "closed": now}).all()
    _forget(db, Assignment, [r.id for r in rows])
    release_slots(db, [r.item_id for r in rows])
    return len(rows)


def close_lapsed(db: Session, project_id: int, now: datetime) -> int:
    """Expire lapsed leases and release stale reservations in one statement; how many."""
    return _close_lapsed(db, project_id, now, _LAPSE_BOTH)


def release_stale_reservations(db: Session, project_id: int, now: datetime) -> int:
    """Release reservations past their window + grace; returns how many."""
    return _close_lapsed(db, project_id, now, _RELEASE_RESERVATIONS)


def _shift_taken(db: Session, item_ids: Sequence[int], step: int) -> None:
    counts: dict[int, int] = {}
    for item_id in item_ids:
        counts[item_id] = counts.get(item_id, 0) + step
    if counts:
        table = cast(Table, Item.__table__)
        db.connection().execute(
            update(table)
            .where(table.c.id == bindparam("item_id"))
            .values(taken=table.c.taken + bindparam("step")),
            [{"item_id": k, "step": n} for k, n in counts.items()],
        )
        _forget(db, Item, list(counts))


def release_slots(db: Session, item_ids: Sequence[int]) -> None:
    """Give back one slot per listed item (an item may be listed more than once)."""
    _shift_taken(db, item_ids, -1)


def take_free_slot(db: Session, item_id: int, overlap: int) -> bool:
    """Atomically take a slot of an item if one is free (late submissions)."""
    return db.scalar(_free_slot(item_id, overlap)) is not None


def pool_claims_since(db: Session, project_id: int, expert_id: int, since: datetime) -> int:
    return int(
        db.scalar(
            select(func.count(Assignment.id)).where(
                Assignment.project_id == project_id,
                Assignment.expert_id == expert_id,
                Assignment.source == "pool",
                Assignment.opened_at >= since,
            )
        )
        or 0
    )


def trust_of(db: Session, project_id: int, expert_id: int) -> float | None:
    return db.scalar(
        select(Trust.score).where(Trust.project_id == project_id, Trust.expert_id == expert_id)
    )


def trust_scores(db: Session, project_id: int) -> dict[int, float]:
    rows = db.execute(select(Trust.expert_id, Trust.score).where(Trust.project_id == project_id))
    return {expert_id: float(score) for expert_id, score in rows}


def live_reservations(db: Session, project_id: int, now: datetime) -> dict[int, int]:
    """Per expert: reservations still held."""
    rows = db.execute(
        select(Assignment.expert_id, func.count(Assignment.id))
        .where(
            Assignment.project_id == project_id,
            Assignment.status == AssignmentStatus.RESERVED,
            Assignment.reserved_until > now,
        )
        .group_by(Assignment.expert_id)
    )
    return {expert_id: int(n) for expert_id, n in rows}


def pairs_held(db: Session, project_id: int) -> set[tuple[int, int]]:
    """(item, expert) pairs that exist in any state: never hand an item twice."""
    rows = db.execute(
        select(Assignment.item_id, Assignment.expert_id).where(Assignment.project_id == project_id)
    )
    return {(item_id, expert_id) for item_id, expert_id in rows}


def free_item_batches(
    db: Session, project_id: int, overlap: int, batch: int = 1000
) -> Iterator[list[tuple[int, int]]]:
    """(item id, free slots) of open non-gold items, in id order, locked batch by batch."""
    last = 0
    while True:
        rows = db.execute(
            select(Item.id, Item.taken)
            .where(
                Item.project_id == project_id,
                Item.status == ItemStatus.OPEN,
                Item.is_gold == false(),
                Item.taken < overlap,
                Item.id > last,
            )
            .order_by(Item.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        yield [(item_id, overlap - taken) for item_id, taken in rows]


def insert_reservations(db: Session, rows: list[dict[str, Any]]) -> None:
    """Insert reservation assignments and take their slots."""
    if not rows:
        return
    db.execute(insert(Assignment), rows)
    _shift_taken(db, [r["item_id"] for r in rows], +1)


def reservations_of(db: Session, expert_id: int, now: datetime) -> list[Any]:
    """Per project and window: how many items are reserved for the expert."""
    return list(
        db.execute(
            select(
                Assignment.project_id,
                Assignment.window_start,
                Assignment.reserved_until,
                func.count(Assignment.id),
            )
            .where(
                Assignment.expert_id == expert_id,
                Assignment.status == AssignmentStatus.RESERVED,
                Assignment.reserved_until > now,
            )
            .group_by(Assignment.project_id, Assignment.window_start, Assignment.reserved_until)
            .order_by(Assignment.window_start)
        ).all()
    )


def admitted_experts(db: Session) -> list[Expert]:
    return list(db.scalars(select(Expert).where(Expert.status == ExpertStatus.ADMITTED)))


def org_owner_user_ids(db: Session, org_id: int) -> dict[int, set[Role]]:
    """user id -> roles, for members of the org (they may not label its items)."""
    roles: dict[int, set[Role]] = {}
    for user_id, role in db.execute(
        select(Membership.user_id, Membership.role).where(Membership.org_id == org_id)
    ):
        roles.setdefault(user_id, set()).add(Role(role))
    return roles


def live_projects(db: Session) -> list[Project]:
    return list(db.scalars(select(Project).where(Project.status == ProjectStatus.LIVE)))


def projects_by_id(db: Session, ids: set[int]) -> list[Project]:
    return list(db.scalars(select(Project).where(Project.id.in_(ids)))) if ids else []


def status_counts(db: Session, project_id: int, now: datetime) -> dict[str, int]:
    """Counts for `tandem dispatch status`: assignments by state, free pool slots."""
    by_status = dict(
        db.execute(
            select(Assignment.status, func.count(Assignment.id))
            .where(Assignment.project_id == project_id)
            .group_by(Assignment.status)
        ).all()
    )
    return {str(k): int(v) for k, v in by_status.items()}


def free_pool_slots(db: Session, project_id: int, overlap: int) -> int:
    return int(
        db.scalar(
            select(func.coalesce(func.sum(overlap - Item.taken), 0)).where(
                Item.project_id == project_id,
                Item.status == ItemStatus.OPEN,
                Item.is_gold == false(),
                Item.taken < overlap,
            )
        )
        or 0
    )


def submissions_since(db: Session, project_id: int, since: datetime) -> int:
    return int(
        db.scalar(
            select(func.count(Submission.id)).where(
                Submission.project_id == project_id, Submission.created_at >= since
            )
        )
        or 0
    )
