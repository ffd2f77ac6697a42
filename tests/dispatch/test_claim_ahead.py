"""Claims made in the same statement as their read (PostgreSQL), and undone when the
decision on that read says no."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch.service import WorkRefused, lease_length, next_assignment
from tandem.kit.clock import FakeClock
from tandem.kit.errors import Conflict, NoWorkAvailable, PermissionDenied
from tandem.models import Assignment, Item, Organization, Project
from tandem.models.enums import AssignmentStatus, ProjectStatus
from tests import factories as f
from tests.conftest import TEST_DB
from tests.statements import recorded

pytestmark = pytest.mark.skipif(TEST_DB != "postgresql", reason="claims ahead are PostgreSQL's")
POLICY = {"gold_rate": 0.0, "review_sample_rate": 0.0}


@pytest.fixture
def known(db: Session) -> tuple[Organization, Project]:
    """A live project whose claim terms this process knows: one expert has claimed."""
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org, overlap=2, quality_policy=POLICY)
    f.items(db, proj, 3)
    next_assignment(db, f.expert(db), proj.id)
    return org, proj


def _nothing_for(db: Session, expert: Actor) -> None:
    """The expert holds no assignment: a claim made ahead for them was undone."""
    db.expire_all()  # no commit has rolled anything back yet: only an undo removes it
    mine = select(Assignment).where(Assignment.expert_id == expert.require_expert().id)
    assert db.scalars(mine).all() == []


def _slots_match_leases(db: Session, proj: Project) -> None:
    """Every slot taken belongs to a lease, and nothing was left by a claim undone."""
    taken = db.scalar(select(func.sum(Item.taken)).where(Item.project_id == proj.id))
    leases = db.scalar(select(func.count()).where(Assignment.project_id == proj.id))
    assert taken == leases


def test_a_claim_on_known_terms_is_one_statement(db: Session, known: tuple) -> None:
    _, proj = known
    expert = f.expert(db)
    seen = recorded(db)
    lease = next_assignment(db, expert, proj.id)
    assert len(seen) == 1, seen  # the read and the claim at once
    assert lease.status == AssignmentStatus.ACTIVE and lease.expert_id == expert.expert.id
    db.expire_all()
    assert db.get_one(Assignment, lease.id).item_id == lease.item_id
    _slots_match_leases(db, proj)


def test_a_claim_ahead_is_undone_for_an_expert_who_may_not_work(db: Session, known: tuple) -> None:
    _, proj = known
    proj.required_languages = ["fi"]  # not a claim term: the claim is still made ahead
    db.flush()
    outsider = f.expert(db, languages=["en"])
    with pytest.raises(PermissionDenied, match="languages"):
        next_assignment(db, outsider, proj.id)
    _nothing_for(db, outsider)
    _slots_match_leases(db, proj)


def test_a_claim_ahead_is_undone_when_the_wellbeing_gate_refuses(
    db: Session, known: tuple, clock: FakeClock
) -> None:
    org, proj = known
    org.settings = {"wellbeing": {"daily_cap_hours": 1}}
    clock.set(datetime(2026, 3, 11, 15, tzinfo=UTC))
    expert = f.expert(db, time_zone="UTC")
    f.work_session(db, expert, proj, datetime(2026, 3, 11, 13, tzinfo=UTC), 3600)
    db.flush()
    with pytest.raises(WorkRefused) as refused:
        next_assignment(db, expert, proj.id)
    assert refused.value.reason_code == "daily_cap"
    _nothing_for(db, expert)
    _slots_match_leases(db, proj)


def test_changed_terms_undo_the_claim_and_the_new_ones_hold(db: Session, known: tuple) -> None:
    _, proj = known
    proj.overlap = 1  # the process still knows 2: a claim ahead may take a second slot
    db.flush()
    for _ in range(2):
        next_assignment(db, f.expert(db), proj.id)
    db.expire_all()
    per_item = db.scalars(select(Item.taken).where(Item.project_id == proj.id)).all()
    assert sorted(per_item) == [1, 1, 1]
    _slots_match_leases(db, proj)


def test_a_paused_project_gets_no_claim_ahead(db: Session, known: tuple) -> None:
    _, proj = known
    proj.status = ProjectStatus.PAUSED
    db.flush()
    expert = f.expert(db)
    seen = recorded(db)
    with pytest.raises(Conflict, match="paused"):
        next_assignment(db, expert, proj.id)
    assert len(seen) == 1, seen  # the gate in SQL held: nothing to undo
    _nothing_for(db, expert)
    _slots_match_leases(db, proj)


def test_an_open_lease_is_returned_without_a_new_claim(db: Session, known: tuple) -> None:
    _, proj = known
    expert = f.expert(db)
    first = next_assignment(db, expert, proj.id)
    seen = recorded(db)
    assert next_assignment(db, expert, proj.id).id == first.id
    assert len(seen) == 1, seen  # the gate in SQL held: nothing to undo
    _slots_match_leases(db, proj)


@pytest.mark.parametrize(
    "change",
    [
        {"time_estimate_seconds": 1200},  # the lease: 10 minutes → 1 hour
        {"quality_policy": {**POLICY, "pool_claims_per_hour": 1}},
    ],
    ids=["lease-length", "pool-limit"],
)
def test_a_claim_ahead_on_old_terms_is_redone_on_the_new(
    db: Session, known: tuple, change: dict[str, Any]
) -> None:
    _, proj = known
    for key, value in change.items():
        setattr(proj, key, value)
    db.flush()
    expert = f.expert(db)
    lease = next_assignment(db, expert, proj.id)
    assert lease.lease_expires_at - lease.opened_at == lease_length(proj)
    if "quality_policy" in change:  # the new hourly limit of one binds at once
        lease.status = AssignmentStatus.SUBMITTED
        db.flush()
        with pytest.raises(NoWorkAvailable, match="hourly limit"):
            next_assignment(db, expert, proj.id)
    db.expire_all()
    _slots_match_leases(db, proj)
