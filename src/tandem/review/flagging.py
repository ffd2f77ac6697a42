"""Which submissions reach the reviewer queue: flagged ones, plus a reproducible sample.

`flag_for_review` is called once per counted submission at the end of
`tandem.work.service.submit`; `enqueue` puts the submission in the queue.
"""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Literal

from sqlalchemy.orm import Session

from tandem.models import Item, Project, ReviewTask, Submission, Trust
from tandem.projects.forms import parse_form
from tandem.projects.pay_terms import QualityPolicy
from tandem.review import repository
from tandem.review.grading import Tolerance, grade_response

GOLD_FAILURE = "gold_failure"
TOO_FAST = "too_fast"
LOW_AGREEMENT = "low_agreement"
SAMPLED = "sampled"
FINAL_QA = "final_qa"
# faster than this share of the time estimate is implausible (Toloka's "fast responses")
TOO_FAST_SHARE = 0.25


def policy_of(project: Project) -> QualityPolicy:
    return QualityPolicy.model_validate(project.quality_policy or {})


def tolerance_of(policy: QualityPolicy) -> Tolerance:
    return Tolerance(policy.rating_tolerance, policy.ranking_min_correlation)


def sampled(project_id: int, submission_id: int, rate: float, salt: str = "review") -> bool:
    """A deterministic coin: the same submission is always in or out of the sample."""
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{salt}:{project_id}:{submission_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


class _LookUp(Enum):
    LOOK_UP = "look up"


LOOK_UP = _LookUp.LOOK_UP
# the expert's trust row when the caller already read it (None: there is none)
KnownTrust = Trust | None | Literal[_LookUp.LOOK_UP]


def flag_for_review(
    db: Session, submission: Submission, project: Project, trust: KnownTrust = LOOK_UP
) -> list[str]:
    """Why this submission needs a reviewer (empty: it does not)."""
    policy = policy_of(project)
    reasons: list[str] = []
    item = db.get_one(Item, submission.item_id)  # already in the session on the submit path
    if item.gold:
        results = grade_response(
            parse_form(project.form), submission.response, item.gold, tolerance_of(policy)
        )
        if any(ok is False for ok in results.values()):
            reasons.append(GOLD_FAILURE)
    if submission.active_seconds < TOO_FAST_SHARE * project.time_estimate_seconds:
        reasons.append(TOO_FAST)
    if trust is LOOK_UP:
        trust = repository.trust_of(db, project.id, submission.expert_id)
    agreement = trust.agreement if trust is not None else None
    if agreement is not None and agreement < policy.low_agreement_below:
        reasons.append(LOW_AGREEMENT)
    if sampled(project.id, submission.id, policy.review_sample_rate):
        reasons.append(SAMPLED)
    return reasons


def enqueue(
    db: Session, submission: Submission, reasons: list[str], stage: int = 1
) -> ReviewTask | None:
    """Put the submission in the queue at this stage, once; None without reasons."""
    if not reasons:
        return None
    # no look-up first: on the submit path the submission is new, so the insert wins
    task = repository.queue_task_once(db, submission.project_id, submission.id, stage, reasons)
    # None: already queued (or a concurrent enqueue won): the queue holds it once
    return task if task is not None else repository.task_for(db, submission.id, stage)


def flag_and_enqueue(
    db: Session, submission: Submission, project: Project, trust: KnownTrust = LOOK_UP
) -> ReviewTask | None:
    """The submit hook: flag the submission and queue it when there is a reason."""
    return enqueue(db, submission, flag_for_review(db, submission, project, trust))
