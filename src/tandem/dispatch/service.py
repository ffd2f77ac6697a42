"""Handing out work: reservations first, gold checks interleaved, then the open pool.

Lapsed leases and stale reservations are closed inside the claiming transaction itself,
so correctness needs no sweeper. Never commits.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.db.session import is_postgres
from tandem.dispatch import claim_ahead, claims, repository
from tandem.dispatch.eligibility import check_eligible, why_not_eligible
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound, NoWorkAvailable
from tandem.models import Assignment, Expert, Project
from tandem.models.enums import AssignmentStatus, ProjectStatus
from tandem.projects.pay_terms import QualityPolicy
from tandem.wellbeing import gate
from tandem.wellbeing.hours import this_week_window
from tandem.wellbeing.repository import HoursWindow

MIN_LEASE = timedelta(minutes=10)


class WorkRefused(Conflict):
    """No new work now, for a well-being reason the expert can read."""

    code = "work_refused"
    title = "No new work right now"

    def __init__(self, refusal: gate.Refusal) -> None:
        super().__init__(refusal.message)
        self.reason_code = refusal.code

    def problem(self) -> dict[str, Any]:
        return {**super().problem(), "reason": self.reason_code}


def lease_length(project: Project) -> timedelta:
    """3 × the time estimate, at least 10 minutes."""
    return max(MIN_LEASE, timedelta(seconds=3 * project.time_estimate_seconds))


def eligible_projects(db: Session, actor: Actor, projects: list[Project]) -> list[Project]:
    """The projects among `projects` the calling expert may work on."""
    expert = actor.require_expert()
    now = utcnow()
    return [
        p
        for p in projects
        if why_not_eligible(db, expert, p, now, actor.roles.get(p.org_id, set())) is None
    ]


# by database and project: the claim terms this process last read, for claims made ahead
# of their read (kept only if the read finds them unchanged)
_KNOWN_TERMS: dict[tuple[str | None, int], claim_ahead.ClaimTerms] = {}


def _terms_key(db: Session, project_id: int) -> tuple[str | None, int]:
    bind = db.bind or db.get_bind()  # the session's own bind, when it has one, costs nothing
    return bind.engine.url.database, project_id


def next_assignment(db: Session, actor: Actor, project_id: int) -> Assignment:
    """The expert's open assignment in the project, or a newly claimed one."""
    now = utcnow()
    expert = actor.require_expert()
    window = this_week_window(expert, now)
    # on PostgreSQL, with the project's terms known, the read claims too (claim_ahead)
    key = _terms_key(db, project_id)
    ahead = _claim_ahead(db, expert, _KNOWN_TERMS.get(key), project_id, now, window)
    if ahead is None:
        target = claims.project_for_claim(db, project_id, expert.id, now, window)  # one read
    else:
        target = ahead.target
    current = _open_work_or_undo(db, actor, target, now, ahead)
    assert target is not None  # no project: NotFound was raised
    lease = _Lease(target.project, expert, now)
    _KNOWN_TERMS[key] = lease.terms
    kept = _kept_or_undone(db, ahead, current, lease)
    if kept is not None:
        return kept
    if current is not None and current.status == AssignmentStatus.ACTIVE:
        return current  # an item already open can always be finished
    return _claim(db, lease, current)


def _open_work_or_undo(
    db: Session,
    actor: Actor,
    target: claims.ClaimTarget | None,
    now: datetime,
    ahead: claim_ahead.Ahead | None,
) -> Assignment | None:
    """_open_work; a claim made ahead is undone before a refusal leaves (a caller may catch
    the refusal and commit)."""
    try:
        return _open_work(db, actor, target, now)
    except BaseException:
        if ahead is not None:
            # a failed transaction takes the claim with it when it rolls back
            with suppress(SQLAlchemyError):
                ahead.undo(db)
        raise


def _kept_or_undone(
    db: Session, ahead: claim_ahead.Ahead | None, current: Assignment | None, lease: _Lease
) -> Assignment | None:
    """The lease claimed ahead when the decision and the terms say yes; else it is undone."""
    if ahead is None or ahead.row is None:
        return None
    if current is None and ahead.terms == lease.terms:
        kept = ahead.keep(db)
        # None: the same expert's parallel claim opened a lease first, which is theirs
        return kept if kept is not None else _parallel_lease(db, lease)
    ahead.undo(db)
    return None


def _claim_ahead(
    db: Session,
    expert: Expert,
    terms: claim_ahead.ClaimTerms | None,
    project_id: int,
    now: datetime,
    window: HoursWindow,
) -> claim_ahead.Ahead | None:
    """The read with a pool claim made in it, when the project's terms are known and it is
    not a gold turn (tandem.dispatch.claim_ahead); None: not tried."""
    if terms is None or not is_postgres(db):
        return None
    if gold_turn(project_id, expert.id, terms.gold_rate, now):
        return None
    claim = _pool_claim(project_id, expert.id, terms, now)
    return claim_ahead.read_and_claim(db, claim, window, terms)


def _open_work(
    db: Session, actor: Actor, target: claims.ClaimTarget | None, now: datetime
) -> Assignment | None:
    """Raise unless the expert may have work of the project now; their open work there."""
    if target is None or target.project.status not in (ProjectStatus.LIVE, ProjectStatus.PAUSED):
        raise NotFound("project not found")
    project, expert = target.project, actor.require_expert()
    roles = actor.roles.get(project.org_id, set())
    check_eligible(db, expert, project, now, roles, target.barred)
    if project.status != ProjectStatus.LIVE:
        raise Conflict("this project is paused; no new work is handed out")
    current = claims.assignment(db, target.open_id)
    if current is not None and current.status == AssignmentStatus.ACTIVE:
        return current
    refusal = gate.refusal(db, expert, project, now, target.org_settings, target.this_week)
    if refusal is not None:
        raise WorkRefused(refusal)
    return current


def _claim(db: Session, lease: _Lease, ready: Assignment | None) -> Assignment:
    """A gold check, the expert's ready reservation, or an item from the pool."""
    claimed = _claim_special(db, lease, ready) or _claim_from_pool(db, lease)
    # lapsed leases and stale reservations hold slots: free them, in this same
    # transaction, only when the pool looks empty, so a claim needs no sweeper
    if claimed is None and repository.close_lapsed(db, lease.project.id, lease.now):
        claimed = _claim_from_pool(db, lease)
    if claimed is None:
        raise NoWorkAvailable(_nothing_now(db, lease.expert, lease.project, lease.now))
    return claimed


@dataclass(frozen=True)
class _Lease:
    project: Project
    expert: Expert
    now: datetime

    @property
    def until(self) -> datetime:
        return self.now + lease_length(self.project)

    @cached_property
    def policy(self) -> QualityPolicy:
        # read once per claim: the gold turn and the pool claim both need it
        return QualityPolicy.model_validate(self.project.quality_policy)

    @cached_property
    def terms(self) -> claim_ahead.ClaimTerms:
        """What the pool claim binds from the project (claims made ahead compare them)."""
        policy = self.policy
        return claim_ahead.ClaimTerms(
            self.project.overlap,
            lease_length(self.project),
            policy.pool_claims_per_hour,
            policy.gold_rate,
        )

    def open(self, db: Session, item_id: int, source: str) -> Assignment:
        assignment = Assignment(
            project_id=self.project.id,
            item_id=item_id,
            expert_id=self.expert.id,
            status=AssignmentStatus.ACTIVE,
            source=source,
            opened_at=self.now,
            lease_expires_at=self.until,
        )
        db.add(assignment)
        db.flush()
        return assignment


def _claim_special(db: Session, lease: _Lease, ready: Assignment | None) -> Assignment | None:
    """A gold check when it is its turn, else the expert's reservation whose window is open."""
    gold = gold_turn(lease.project.id, lease.expert.id, lease.policy.gold_rate, lease.now)
    if not gold and ready is None:
        return None
    try:
        # a lease opened by the same expert in parallel trips the one-active-lease index
        with db.begin_nested():
            return _gold_or_reserved(db, lease, ready, gold)
    except IntegrityError:
        return _parallel_lease(db, lease)


def _gold_or_reserved(
    db: Session, lease: _Lease, ready: Assignment | None, gold: bool
) -> Assignment | None:
    if gold:
        gold_id = repository.claim_gold_item(db, lease.project.id, lease.expert.id)
        if gold_id is not None:
            return lease.open(db, gold_id, "gold")
    if ready is not None and claims.activate(db, ready, lease.now, lease.until):
        return ready
    return None


def _pool_claim(
    project_id: int, expert_id: int, terms: claim_ahead.ClaimTerms, now: datetime
) -> claims.PoolClaim:
    until, since = now + terms.lease, now - timedelta(hours=1)
    return claims.PoolClaim(
        project_id, expert_id, terms.overlap, now, until, terms.pool_limit, since
    )


def _claim_from_pool(db: Session, lease: _Lease) -> Assignment | None:
    claim = _pool_claim(lease.project.id, lease.expert.id, lease.terms, lease.now)
    taken = claims.claim_pool(db, claim)
    if taken is None:
        return None
    item_id, opened = taken
    if opened is None:  # lost a race with the same expert's parallel claim
        repository.release_slots(db, [item_id])
        return _parallel_lease(db, lease)
    return opened


def _parallel_lease(db: Session, lease: _Lease) -> Assignment | None:
    found = claims.open_or_ready(db, lease.project.id, lease.expert.id, lease.now)
    return found if found is not None and found.status == AssignmentStatus.ACTIVE else None


def gold_turn(project_id: int, expert_id: int, rate: float, claimed_at: datetime) -> bool:
    """Whether a claim is a gold check: a hash of (project, expert, the claim's time).

    Deterministic, so tests and audits reproduce it from the lease's `opened_at`, yet
    without a visible pattern; and it reads nothing (counting the expert's claims so far,
    as it once did, grew with their history in the project).
    """
    if rate <= 0:
        return False
    key = f"gold:{project_id}:{expert_id}:{claimed_at.isoformat()}"
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def _pool_allowed(db: Session, project: Project, expert_id: int, now: datetime) -> bool:
    limit = QualityPolicy.model_validate(project.quality_policy).pool_claims_per_hour
    if limit is None:
        return True
    since = now - timedelta(hours=1)
    return repository.pool_claims_since(db, project.id, expert_id, since) < limit


def _nothing_now(db: Session, expert: Expert, project: Project, now: datetime) -> str:
    upcoming = [r for r in repository.reservations_of(db, expert.id, now) if r[0] == project.id]
    if upcoming:
        starts = upcoming[0][1]
        return f"{upcoming[0][3]} items are reserved for you from {starts:%Y-%m-%d %H:%M} UTC"
    if not _pool_allowed(db, project, expert.id, now):
        return "you reached this project's hourly limit on open-pool items; try again later"
    return "no work available in this project right now"


def assignment_for_expert(db: Session, actor: Actor, assignment_id: int) -> Assignment:
    """One of the caller's own assignments (404 for anybody else's)."""
    expert = actor.require_expert()
    assignment = db.get(Assignment, assignment_id)
    if assignment is None or assignment.expert_id != expert.id:
        raise NotFound("assignment not found")
    return assignment


def extend_lease(db: Session, project: Project, assignment: Assignment) -> None:
    """A heartbeat: an active lease runs for another lease length from now."""
    if assignment.status == AssignmentStatus.ACTIVE:
        assignment.lease_expires_at = utcnow() + lease_length(project)
        db.flush()


def skip(db: Session, actor: Actor, assignment_id: int, reason: str) -> Assignment:
    """Give an active item back, with a reason; the slot is freed."""
    assignment = assignment_for_expert(db, actor, assignment_id)
    current = AssignmentStatus(assignment.status)
    assignment.status = current.become(AssignmentStatus.SKIPPED)  # type: ignore[assignment]
    assignment.skip_reason = reason
    assignment.closed_at = utcnow()
    db.flush()
    repository.release_slots(db, [assignment.item_id])
    return assignment
