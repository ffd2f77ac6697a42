"""The SQL of the claim hot path: a few statements per claim, each reading one index.

PostgreSQL: a pool claim is one statement — a CTE takes a free slot of a candidate row
locked with FOR UPDATE SKIP LOCKED and inserts the lease (ON CONFLICT DO NOTHING, so a
parallel claim by the same expert cannot abort the transaction).
SQLite: every transaction is BEGIN IMMEDIATE (tandem.db.session), so claims are
serialized; the slot is taken with UPDATE … RETURNING and the lease inserted after it.
Which item the slot is taken from is tandem.dispatch.walk. Statements are built once at
import: they run on every claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from tandem.db.base import BigId, UTCDateTime
from tandem.db.direct import Direct, Loaded
from tandem.db.inserts import attach_row, insert_once_statement
from tandem.db.session import keep
from tandem.dispatch.walk import EXPERT_ID, PROJECT_ID, TAKE_SLOT
from tandem.models import Assignment, Item, Organization, Project, ProjectRemoval
from tandem.models.enums import AssignmentStatus
from tandem.projects.repository import CLAIMING_KEYS
from tandem.review.repository import BARRING_REMOVALS
from tandem.wellbeing import repository as wellbeing
from tandem.wellbeing.repository import HoursRead, HoursWindow

_A = cast(Table, Assignment.__table__)
_I = cast(Table, Item.__table__)
_P, _E = PROJECT_ID, EXPERT_ID
_NOW = bindparam("now", type_=UTCDateTime())
_UNTIL = bindparam("until", type_=UTCDateTime())
_STATUS = _A.c.status.type


@dataclass(frozen=True)
class PoolClaim:
    """What one pool claim needs: who, where, the lease, and the pool's hourly limit."""

    project_id: int
    expert_id: int
    overlap: int
    now: datetime
    until: datetime
    pool_limit: int | None  # None: no hourly limit
    since: datetime

    @property
    def limited(self) -> bool:
        return self.pool_limit is not None

    def params(self) -> dict[str, Any]:
        return {
            "p": self.project_id,
            "e": self.expert_id,
            "k": self.overlap,
            "now": self.now,
            "until": self.until,
            "limit": self.pool_limit,
            "since": self.since,
        }


def _status_is(status: AssignmentStatus) -> Any:
    # written into the SQL, not bound: PostgreSQL keeps one plan per prepared statement,
    # and only a literal status lets that plan use the partial index on it
    return _A.c.status == literal_column(f"'{status.name}'")


def _open_or_ready_statement() -> Any:
    # two probes, each by its partial index (uq_assignment_one_active, ix_assignment_reserved)
    # and so exact whatever the table's statistics: with the statuses OR-ed in one, a plan
    # made while the table looked empty read every open assignment of the project
    # (tests/dispatch/test_claim_order.py reads the executed plan)
    mine = (_A.c.project_id == _P, _A.c.expert_id == _E)
    leased = (
        select(_A.c.id)
        .where(*mine, _status_is(AssignmentStatus.ACTIVE), _A.c.lease_expires_at > _NOW)
        .limit(1)
        .scalar_subquery()
    )
    ready = (
        select(_A.c.id)
        .where(*mine, _status_is(AssignmentStatus.RESERVED), _A.c.window_start <= _NOW)
        .where(_A.c.reserved_until > _NOW)
        .order_by(_A.c.window_start, _A.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return select(func.coalesce(leased, ready))


_OPEN_OR_READY = _open_or_ready_statement()


@dataclass(frozen=True)
class ClaimTarget:
    """The project, its organization's settings, whether the expert is barred from it, their
    open work there and their hours this week: everything a claim decides on."""

    project: Project
    org_settings: dict[str, Any]
    barred: bool
    open_id: int | None  # the expert's unexpired lease here, else their earliest ready reservation
    this_week: HoursRead


# what handing out work and showing it to the expert read of the project (the rest loads
# on first use, should anything ask)
PROJECT_FOR_CLAIMING = Loaded(Project, *CLAIMING_KEYS)


def _project_for_claim_statement() -> Any:
    barred = exists().where(
        ProjectRemoval.project_id == Project.id,
        ProjectRemoval.expert_id == _E,
        # not IN (…): an expanding IN is rendered into the SQL anew at every execution
        or_(*(ProjectRemoval.status == status for status in BARRING_REMOVALS)),
    )
    open_id = _OPEN_OR_READY.scalar_subquery().label("open_id")
    # the well-being gate's hours come along: one statement fewer on every claim
    sums, recent = wellbeing.THIS_WEEK_SUMS, wellbeing.RECENT_SESSIONS
    return (
        select(*PROJECT_FOR_CLAIMING.columns, Organization.settings, barred.label("barred"))
        .add_columns(open_id, sums.c.day, sums.c.week, sums.c.night_week)
        .add_columns(recent.c.started_at, recent.c.last_beat_at, recent.c.active_seconds)
        .join(Organization, Organization.id == Project.org_id)
        .join(sums, true())  # one row: sums without GROUP BY
        .outerjoin(recent, true())
        .where(Project.id == _P)
        .order_by(recent.c.started_at)
    )


TARGET_READ = _project_for_claim_statement()
_PROJECT_FOR_CLAIM = Direct(TARGET_READ)
_AFTER_PROJECT = PROJECT_FOR_CLAIMING.width
TARGET_WIDTH = len(TARGET_READ.selected_columns)


def target_params(project_id: int, expert_id: int, now: datetime, hours: HoursWindow) -> Any:
    """The parameters of the claim target's read (`hours`: the window, past_weeks 0)."""
    return {**wellbeing.hours_params(expert_id, hours), "p": project_id, "now": now}


def project_for_claim(
    db: Session, project_id: int, expert_id: int, now: datetime, hours: HoursWindow
) -> ClaimTarget | None:
    """The project, its organization's settings, the expert's removal, open work and hours
    this week, in one read."""
    rows = _PROJECT_FOR_CLAIM.all(db, target_params(project_id, expert_id, now, hours))
    return target_from_rows(db, rows) if rows else None


def target_from_rows(db: Session, rows: list[Any]) -> ClaimTarget:
    """The ClaimTarget in the first TARGET_WIDTH columns of the read's rows."""
    project = PROJECT_FOR_CLAIMING.load_joined(db, rows[0], 0)
    keep(db, "claimed project", project)  # describe shows it right after the claim
    settings, barred, open_id = rows[0][_AFTER_PROJECT : _AFTER_PROJECT + 3]
    this_week = wellbeing.hours_from_rows(rows, 0, _AFTER_PROJECT + 3)
    return ClaimTarget(project, dict(settings or {}), bool(barred), open_id, this_week)


def assignment(db: Session, assignment_id: int | None) -> Assignment | None:
    """The assignment with this id (from the identity map when loaded already), if any."""
    return None if assignment_id is None else db.get(Assignment, assignment_id)


def open_or_ready(db: Session, project_id: int, expert_id: int, now: datetime) -> Assignment | None:
    """The expert's unexpired lease in the project, else their earliest reservation now open."""
    # a Core read of the id: on the hot path there is usually nothing to load
    found = db.scalar(_OPEN_OR_READY, {"p": project_id, "e": expert_id, "now": now})
    return None if found is None else db.get(Assignment, found)


_ACTIVATE = (
    update(_A)
    .where(_A.c.id == bindparam("a", type_=BigId), _A.c.status == AssignmentStatus.RESERVED)
    .values(status=AssignmentStatus.ACTIVE, opened_at=_NOW, lease_expires_at=_UNTIL)
    .returning(_A.c.id)
)


def activate(db: Session, assignment: Assignment, now: datetime, until: datetime) -> bool:
    """Turn a reservation into a lease, unless it was released meanwhile."""
    done = db.execute(_ACTIVATE, {"a": assignment.id, "now": now, "until": until}).first()
    if done is None:
        db.expire(assignment)  # released meanwhile: read it again when asked
        return False
    # written behind the ORM's back: keep the object in step instead of re-reading it
    values = {"status": AssignmentStatus.ACTIVE, "opened_at": now, "lease_expires_at": until}
    for key, value in values.items():
        set_committed_value(assignment, key, value)
    return True


_ITEM_COLUMNS = [c for c in _I.c if c.key != "id"]  # RETURNING id comes first already
_ITEM_KEYS = ["id", *(c.key for c in _ITEM_COLUMNS)]
_LEASE_COLUMNS = ["project_id", "item_id", "expert_id", "status", "source"]
_LEASE_COLUMNS += ["opened_at", "lease_expires_at", "created_at"]


def claim_ctes(limited: bool, *gates: Any) -> tuple[Any, Any]:
    """The claim's two CTEs, taking a slot when every one of `gates` holds: `taken` (the
    item, whole) and `opened` (the lease's id)."""
    # the item comes back whole: the expert is shown it next, with no read of it
    taken = TAKE_SLOT[limited].where(*gates).returning(*_ITEM_COLUMNS).cte("taken")
    lease_values = select(
        _P,
        taken.c.id,
        _E,
        literal(AssignmentStatus.ACTIVE, _STATUS),
        literal("pool", String(20)),
        _NOW,
        _UNTIL,
        _NOW,
    ).select_from(taken)
    opened = (
        postgresql.insert(_A)
        .from_select(_LEASE_COLUMNS, lease_values)
        .on_conflict_do_nothing()
        .returning(_A.c.id)
        .cte("opened")
    )
    return taken, opened


def claim_columns(taken: Any, opened: Any) -> list[Any]:
    """What a claim returns: the item's id, its other columns, the lease's id."""
    item = [taken.c[c.key].label(f"item_{c.key}") for c in _ITEM_COLUMNS]
    return [taken.c.id.label("item_id"), *item, opened.c.id.label("assignment_id")]


def _pg_claim_statement(limited: bool) -> Any:
    taken, opened = claim_ctes(limited)
    return (
        select(*claim_columns(taken, opened))
        .select_from(taken.outerjoin(opened, true()))
        .add_cte(taken, opened)
    )


_PG_CLAIM = {limited: Direct(_pg_claim_statement(limited)) for limited in (True, False)}
# SQLite: the lease inserted after the slot is taken, in the same serialized transaction
_OPEN_LEASE = insert_once_statement(sqlite, _A, _LEASE_COLUMNS)
_TAKEN_AT = _ITEM_KEYS.index("taken")


def _lease_row(claim: PoolClaim, item_id: int) -> dict[str, Any]:
    """Every column of the lease a pool claim opens, but its id."""
    return {
        "project_id": claim.project_id,
        "item_id": item_id,
        "expert_id": claim.expert_id,
        "status": AssignmentStatus.ACTIVE,
        "source": "pool",
        "window_start": None,
        "reserved_until": None,
        "opened_at": claim.now,
        "lease_expires_at": claim.until,
        "closed_at": None,
        "skip_reason": None,
        "created_at": claim.now,
    }


def _lease(db: Session, claim: PoolClaim, item_id: int, assignment_id: int) -> Assignment:
    """The lease a claim statement inserted, kept in the session as loaded: every column is
    known, so it is not read back."""
    return attach_row(db, Assignment, {**_lease_row(claim, item_id), "id": assignment_id})


# Under contention a SKIP LOCKED pick can come back empty although free rows exist (every
# row it tried was locked, or changed under it, at that instant); try again before saying so
PG_CLAIM_ATTEMPTS = 3


def _pg_claim(db: Session, claim: PoolClaim) -> Any:
    for _ in range(PG_CLAIM_ATTEMPTS):
        row = _PG_CLAIM[claim.limited].first(db, claim.params())
        if row is not None:
            return row
    return None


def opened_from_row(db: Session, claim: PoolClaim, row: Any) -> tuple[int, Assignment | None]:
    """The claim statement's row (item id, the item, lease id) kept in the session as loaded:
    (item id, the lease, or None when the same expert opened one in parallel)."""
    _claimed_item(db, row)
    item_id, assignment_id = row[0], row[-1]
    if assignment_id is None:
        return item_id, None
    return item_id, _lease(db, claim, item_id, assignment_id)


def _claimed_item(db: Session, row: Any) -> None:
    """Keep the item the claim returned in the session, as loaded (or refresh its count)."""
    known = db.identity_map.get(identity_key(Item, row[0]))
    if isinstance(known, Item):
        set_committed_value(known, "taken", row[_TAKEN_AT])
        return
    # the row is (item id, the item's other columns in _ITEM_COLUMNS order, lease id)
    values = dict(zip(_ITEM_KEYS, row[: len(_ITEM_KEYS)], strict=True))
    keep(db, "claimed item", attach_row(db, Item, values))


def claim_pool(db: Session, claim: PoolClaim) -> tuple[int, Assignment | None] | None:
    """Take a free slot and open a lease: (item id, lease or None on a lost race) or None."""
    if db.get_bind().dialect.name == "postgresql":
        row = _pg_claim(db, claim)
        return None if row is None else opened_from_row(db, claim, row)
    item_id = db.scalar(TAKE_SLOT[claim.limited], claim.params())
    if item_id is None:
        return None
    # the insert yields to the one-active-lease index as PostgreSQL's does: the expert's own
    # lapsed lease holds it until the claim frees lapsed leases (tandem.dispatch.service)
    lease_id = db.scalar(_OPEN_LEASE, _lease_row(claim, item_id))
    return item_id, None if lease_id is None else _lease(db, claim, item_id, lease_id)
