"""The simple claim: overlap k, never twice to one expert, leases, skip."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tandem.dispatch.service import lease_length, next_assignment, skip
from tandem.kit.clock import FakeClock
from tandem.kit.errors import Conflict, NotFound, NoWorkAvailable, PermissionDenied
from tandem.models import Assignment, Item
from tandem.models.enums import AssignmentStatus, ExpertStatus, ProjectStatus
from tandem.work.schemas import SubmitIn
from tandem.work.service import describe, submit
from tests import factories as f
from tests.conftest import TEST_DB
from tests.statements import recorded


@pytest.fixture
def live(db: Session) -> tuple:
    org = f.org(db)
    owner = f.requester(db, org)
    proj = f.project(db, owner, org, overlap=2)
    return proj, f.items(db, proj, 3)


def test_an_expert_resumes_their_open_item_and_never_gets_one_twice(
    db: Session, live: tuple
) -> None:
    proj, _items = live
    expert = f.expert(db)
    first = next_assignment(db, expert, proj.id)
    assert next_assignment(db, expert, proj.id).id == first.id
    first.status = AssignmentStatus.SUBMITTED
    db.flush()
    second = next_assignment(db, expert, proj.id)
    assert second.item_id != first.item_id


def test_the_claimed_item_is_shown_as_the_database_has_it(db: Session, live: tuple) -> None:
    proj, _items = live
    expert = f.expert(db)
    db.expunge_all()  # nothing loaded: what is shown comes from the claim's own statements
    claim = next_assignment(db, expert, proj.id)
    seen = recorded(db)
    shown = describe(db, claim)
    if TEST_DB == "postgresql":
        assert seen == []  # the claim statement returned the item, the read the project
    stored = db.execute(select(Item.payload, Item.taken).where(Item.id == claim.item_id)).one()
    assert (shown.item_id, shown.payload) == (claim.item_id, stored.payload)
    assert db.get_one(Item, claim.item_id).taken == stored.taken == 1


def test_overlap_bounds_how_many_experts_get_an_item(db: Session, live: tuple) -> None:
    proj, _items = live
    given: dict[int, int] = {}
    for _ in range(6):
        a = next_assignment(db, f.expert(db), proj.id)
        given[a.item_id] = given.get(a.item_id, 0) + 1
    assert sorted(given.values()) == [2, 2, 2]
    with pytest.raises(NoWorkAvailable):
        next_assignment(db, f.expert(db), proj.id)


def test_expired_lease_is_reclaimed_by_the_next_claim(
    db: Session, live: tuple, clock: FakeClock
) -> None:
    proj, _items = live
    proj.overlap = 1
    db.flush()
    holders = [f.expert(db) for _ in range(3)]
    taken = [next_assignment(db, h, proj.id) for h in holders]
    with pytest.raises(NoWorkAvailable):
        next_assignment(db, f.expert(db), proj.id)
    clock.advance(seconds=lease_length(proj).total_seconds() + 1)
    newcomer = next_assignment(db, f.expert(db), proj.id)
    assert newcomer.item_id == taken[0].item_id
    db.refresh(taken[0])
    assert taken[0].status == AssignmentStatus.EXPIRED


def test_lease_is_three_times_the_estimate_but_at_least_ten_minutes(
    db: Session, live: tuple
) -> None:
    proj, _ = live
    proj.time_estimate_seconds = 60
    assert lease_length(proj).total_seconds() == 600
    proj.time_estimate_seconds = 1200
    assert lease_length(proj).total_seconds() == 3600


def test_skip_frees_the_slot_for_someone_else(db: Session, live: tuple) -> None:
    proj, _items = live
    proj.overlap = 1
    db.flush()
    expert = f.expert(db)
    a = next_assignment(db, expert, proj.id)
    skip(db, expert, a.id, "outside my expertise")
    assert db.get(Item, a.item_id).taken == 0  # type: ignore[union-attr]
    other = next_assignment(db, f.expert(db), proj.id)
    assert other.item_id == a.item_id
    # and the skipper is never handed it again
    seen = {next_assignment(db, expert, proj.id).item_id}
    assert a.item_id not in seen


def test_paused_project_and_unadmitted_or_unskilled_experts_get_nothing(
    db: Session, live: tuple
) -> None:
    proj, _ = live
    with pytest.raises(PermissionDenied):
        next_assignment(db, f.expert(db, status=ExpertStatus.APPLIED), proj.id)
    proj.required_skills = {"medicine": 3}
    db.flush()
    with pytest.raises(PermissionDenied):
        next_assignment(db, f.expert(db, skills={"medicine": 2}), proj.id)
    assert next_assignment(db, f.expert(db, skills={"medicine": 4}), proj.id)
    proj.status = ProjectStatus.PAUSED
    db.flush()
    with pytest.raises(Conflict):
        next_assignment(db, f.expert(db, skills={"medicine": 4}), proj.id)
    proj.status = ProjectStatus.DRAFT
    db.flush()
    with pytest.raises(NotFound):
        next_assignment(db, f.expert(db, skills={"medicine": 4}), proj.id)


def test_requester_without_expert_profile_cannot_claim(db: Session, live: tuple) -> None:
    proj, _ = live
    with pytest.raises(PermissionDenied):
        next_assignment(db, f.requester(db, f.org(db)), proj.id)


def test_the_database_refuses_a_second_active_lease_for_one_expert(
    db: Session, live: tuple
) -> None:
    proj, items = live
    expert = f.expert(db)
    first = next_assignment(db, expert, proj.id)
    other = next(i for i in items if i.id != first.item_id)
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(
            Assignment(
                project_id=proj.id,
                item_id=other.id,
                expert_id=first.expert_id,
                status=AssignmentStatus.ACTIVE,
            )
        )
        db.flush()


def test_a_heartbeat_extends_the_lease(client: TestClient, db: Session, clock: FakeClock) -> None:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org)
    f.items(db, proj, 1)
    expert = f.expert(db)
    headers = f.token_headers(db, expert)
    claimed = client.post(f"/api/v1/projects/{proj.id}/next", headers=headers).json()
    first_expiry = datetime.fromisoformat(claimed["lease_expires_at"])
    clock.advance(minutes=9)
    beat = {"focused": True, "input_events": 12}
    assert (
        client.post(
            f"/api/v1/assignments/{claimed['id']}/heartbeat", headers=headers, json=beat
        ).status_code
        == 200
    )
    clock.advance(minutes=5)  # past the first expiry: still ours
    again = client.post(f"/api/v1/projects/{proj.id}/next", headers=headers).json()
    assert again["id"] == claimed["id"]
    assert datetime.fromisoformat(again["lease_expires_at"]) > first_expiry


def _claim_and_finish(db: Session, expert: object, project_id: int) -> Assignment:
    claimed = next_assignment(db, expert, project_id)  # type: ignore[arg-type]
    claimed.status = AssignmentStatus.SUBMITTED
    db.flush()
    return claimed


def test_the_open_pool_limits_claims_per_hour_unless_the_project_turns_it_off(
    db: Session, clock: FakeClock
) -> None:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org, overlap=1)
    proj.quality_policy = {"gold_rate": 0.0, "pool_claims_per_hour": 2}
    f.items(db, proj, 7)
    expert = f.expert(db)
    for _ in range(2):
        _claim_and_finish(db, expert, proj.id)
    with pytest.raises(NoWorkAvailable, match="hourly limit"):
        next_assignment(db, expert, proj.id)
    clock.advance(minutes=61)  # the first two claims leave the rolling hour
    _claim_and_finish(db, expert, proj.id)
    proj.quality_policy = {"gold_rate": 0.0, "pool_claims_per_hour": None}
    db.flush()
    for _ in range(4):  # no limit: nothing is counted
        _claim_and_finish(db, expert, proj.id)
    with pytest.raises(NoWorkAvailable, match="no work available"):
        next_assignment(db, expert, proj.id)


@pytest.mark.skipif(TEST_DB != "postgresql", reason="the one-statement claim is PostgreSQL's")
def test_a_pool_claim_and_its_submit_are_two_statements_each(db: Session, live: tuple) -> None:
    proj, _items = live
    proj.quality_policy = {"gold_rate": 0.0, "review_sample_rate": 0.0}
    expert = f.expert(db)
    db.flush()
    seen = recorded(db)
    claim = next_assignment(db, expert, proj.id)
    claim_statements = list(seen)
    seen.clear()
    submit(db, expert, claim.id, SubmitIn(response=f.good_response(), active_seconds=60), "k")
    # the project with the expert's removal, open work and hours; then the claim itself
    # (the first claim of a project in this process: later ones are one, test_claim_ahead)
    assert len(claim_statements) == 2, claim_statements
    # the assignment with its item, project and trust; then insert, close and count at once
    assert len(seen) == 2, seen


def test_an_expert_whose_own_lease_lapsed_gets_new_work(
    db: Session, live: tuple, clock: FakeClock
) -> None:
    proj, _items = live
    expert = f.expert(db)
    first = next_assignment(db, expert, proj.id)
    clock.advance(seconds=lease_length(proj).total_seconds() + 1)
    # free items are left, so the claim goes to the pool while the lapsed lease still holds
    # the expert's one active slot
    second = next_assignment(db, expert, proj.id)
    assert second.id != first.id and second.status == AssignmentStatus.ACTIVE
    db.refresh(first)
    assert first.status == AssignmentStatus.EXPIRED
