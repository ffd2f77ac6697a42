"""A live project with an owner, a reviewer and two experts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.models import Organization, Project
from tests import factories as f


@dataclass
class Team:
    org: Organization
    owner: Actor
    reviewer: Actor
    second_reviewer: Actor
    expert: Actor
    other_expert: Actor
    project: Project


@pytest.fixture
def team(db: Session) -> Team:
    org = f.org(db)
    owner = f.requester(db, org)
    proj = f.project(
        db, owner, org, overlap=1, quality_policy={"review_sample_rate": 1.0, "min_trust": 0.4}
    )
    f.items(db, proj, 6)
    return Team(
        org, owner, f.reviewer(db, org), f.reviewer(db, org), f.expert(db), f.expert(db), proj
    )
