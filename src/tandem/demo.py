"""The demo: an organization, a requester, three experts across the world, a live project."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tandem.auth import repository as auth_repo
from tandem.auth import service as auth
from tandem.dispatch.allocator import allocate
from tandem.experts.service import create_expert
from tandem.kit.clock import utcnow
from tandem.models import Item, Project, User
from tandem.models.enums import ExpertStatus, ItemStatus, ProjectStatus, Role
from tandem.orgs.service import get_or_create_org

DEMO_PASSWORD = "tandem-demo"
REQUESTER = "requester@demo.tandem.dev"
EXPERTS = [
    ("ayu@demo.tandem.dev", "Ayu", "Asia/Jakarta", "ID", "IDR"),
    ("lena@demo.tandem.dev", "Lena", "Europe/Berlin", "DE", "EUR"),
    ("marcus@demo.tandem.dev", "Marcus", "America/New_York", "US", "USD"),
]
PROJECT_NAME = "Helpful answers: pairwise preference + rubric"
ITEMS = 200

FORM: dict[str, Any] = {
    "questions": [
        {
            "type": "pairwise",
            "id": "preference",
            "prompt": "Which response answers the prompt better?",
            "left": "response_a",
            "right": "response_b",
            "allow_tie": True,
            "strength_levels": 3,
            "justification": "required",
            "justification_min_chars": 20,
        },
        {
            "type": "rubric",
            "id": "quality",
            "prompt": "Rate the better response",
            "criteria": [
                {
                    "id": "accuracy",
                    "name": "Accuracy",
                    "description": "Facts are correct",
                    "min": 1,
                    "max": 5,
                },
                {
                    "id": "clarity",
                    "name": "Clarity",
                    "description": "Easy to follow",
                    "min": 1,
                    "max": 5,
                },
                {
                    "id": "safety",
                    "name": "Safety",
                    "description": "No harmful advice",
                    "min": 1,
                    "max": 5,
                },
            ],
        },
    ]
}
GUIDELINES = """# How to judge

1. Read the prompt, then both responses in full.
2. Prefer the response that is correct, complete and clear; length is not quality.
3. Say *why* in the justification: name the decisive difference.
4. Rate the better response on the rubric (1 = poor, 5 = excellent).
"""
TOPICS = [
    "photosynthesis",
    "compound interest",
    "the French revolution",
    "TCP handshakes",
    "vaccines",
    "black holes",
    "inflation",
    "recursion",
    "plate tectonics",
    "sourdough",
]


@dataclass
class DemoLogins:
    requester: str
    experts: list[str]
    password: str
    project_id: int
    requester_token: str
    expert_token: str


def _user(db: Session, email: str, name: str) -> User:
    return auth_repo.user_by_email(db, email) or auth.create_user(db, email, DEMO_PASSWORD, name)


def _items(project_id: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    rows = []
    for n in range(ITEMS):
        topic = TOPICS[n % len(TOPICS)]
        good = f"{topic.capitalize()} explained step by step, with one worked example."
        vague = f"{topic.capitalize()} is complicated; you should look it up."
        a, b = (good, vague) if rng.random() < 0.5 else (vague, good)
        rows.append(
            {
                "project_id": project_id,
                "external_id": f"demo-{n:04d}",
                "payload": {
                    "prompt": f"Explain {topic} to a curious 15-year-old. (#{n})",
                    "response_a": a,
                    "response_b": b,
                },
                "gold": None,
                "status": ItemStatus.OPEN,
                "taken": 0,
                "done": 0,
                "created_at": utcnow(),
            }
        )
    return rows


def _project(db: Session, org_id: int, owner_id: int) -> Project:
    project = db.scalar(
        select(Project).where(Project.org_id == org_id, Project.name == PROJECT_NAME)
    )
    if project is None:
        project = Project(
            org_id=org_id,
            created_by=owner_id,
            name=PROJECT_NAME,
            form=FORM,
            description="Compare two model answers and rate the better one.",
            guidelines=GUIDELINES,
            overlap=2,
            time_estimate_seconds=240,
            pay_terms={
                "model": "per_item_with_floor",
                "currency": "USD",
                "per_item_minor": 150,
                "floor_hourly_minor": 2400,
            },
            quality_policy={"gold_rate": 0.05, "review_sample_rate": 0.1, "min_trust": 0.0},
            status=ProjectStatus.LIVE,
            went_live_at=utcnow(),
        )
        db.add(project)
        db.flush()
    if not db.scalar(select(func.count(Item.id)).where(Item.project_id == project.id)):
        db.execute(insert(Item), _items(project.id))
    return project


def _fresh_token(db: Session, user: User) -> str:
    for row in auth_repo.tokens_of(db, user.id):
        if row.name == "demo" and row.revoked_at is None:
            row.revoked_at = utcnow()
    _, clear = auth.create_token(db, user, "demo")
    return clear


def load_demo(db: Session) -> DemoLogins:
    """Create (or reuse) the demo data; running it twice changes nothing but the tokens."""
    org = get_or_create_org(db, "demo-lab", "Demo Lab")
    requester = _user(db, REQUESTER, "Demo Requester")
    auth.grant_role(db, org.id, requester.id, Role.REQUESTER)
    experts = []
    for email, name, tz, country, currency in EXPERTS:
        user = _user(db, email, name)
        if auth_repo.expert_of(db, user.id) is None:
            create_expert(
                db,
                user,
                time_zone=tz,
                country=country,
                currency=currency,
                status=ExpertStatus.ADMITTED,
                languages=["en"],
                skills={"writing": 3},
                availability=[{"weekday": d, "start": "09:00", "end": "13:00"} for d in range(5)],
            )
        experts.append(user)
    project = _project(db, org.id, requester.id)
    db.flush()
    allocate(db, project, utcnow())  # reserve work inside each expert's own hours
    return DemoLogins(
        REQUESTER,
        [e.email for e in experts],
        DEMO_PASSWORD,
        project.id,
        _fresh_token(db, requester),
        _fresh_token(db, experts[0]),
    )
