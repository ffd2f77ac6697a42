"""A pool claim made in the same statement as the read it is decided on, undone if the
decision says no.

The claim path reads the project, the expert's removal, open work and hours, decides in
Python (eligibility, the well-being gate, gold turns) and then claims: two statements.
On PostgreSQL a claim whose terms are known — the project's overlap, lease length, pool
limit and gold rate, as last read by this process — runs the claim inside the read, gated
in SQL on what SQL can tell (the project is live, the expert is not barred and has no open
work). Python then decides on the same read as before; when it says no, or the terms have
changed since, the slot is given back and the lease deleted in the same transaction, and
the claim goes the long way. One statement per claim on the common path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, false, select, true
from sqlalchemy.orm import Session

from tandem.db.base import BigId
from tandem.db.direct import Direct
from tandem.dispatch import claims, repository
from tandem.models import Assignment
from tandem.models.enums import ProjectStatus
from tandem.wellbeing.repository import HoursWindow


@dataclass(frozen=True)
class ClaimTerms:
    """What a pool claim binds from the project; a claim ahead is kept only if they held."""

    overlap: int
    lease: timedelta
    pool_limit: int | None
    gold_rate: float


def _statement(limited: bool) -> Any:
    target = claims.TARGET_READ.order_by(None).cte("target")
    open_to_claim = exists().where(
        target.c.status == ProjectStatus.LIVE,
        target.c.barred == false(),
        target.c.open_id.is_(None),
    )
    taken, opened = claims.claim_ctes(limited, open_to_claim)
    claimed = taken.outerjoin(opened, true())
    return (
        select(*target.c, *claims.claim_columns(taken, opened))
        .select_from(target.outerjoin(claimed, true()))
        .order_by(target.c.started_at)
        .add_cte(target, taken, opened)
    )


CLAIM_AHEAD = {limited: Direct(_statement(limited)) for limited in (True, False)}
_A = cast(Table, Assignment.__table__)
_DROP_LEASE = delete(_A).where(_A.c.id == bindparam("a", type_=BigId))


@dataclass
class Ahead:
    """The read (target None: no such project), and the claim made with it (row None: SQL's
    gate was shut, or no slot was free)."""

    target: claims.ClaimTarget | None
    claim: claims.PoolClaim
    row: Any | None  # the claim's columns: item id, the item, lease id
    terms: ClaimTerms

    def keep(self, db: Session) -> Assignment | None:
        """The lease, kept in the session as loaded (None: lost to a parallel claim)."""
        assert self.row is not None
        item_id, lease = claims.opened_from_row(db, self.claim, self.row)
        if lease is None:
            repository.release_slots(db, [item_id])  # as the long way does
        return lease

    def undo(self, db: Session) -> None:
        """Give the slot back and delete the lease: nobody has seen either."""
        if self.row is None:
            return
        item_id, lease_id = self.row[0], self.row[-1]
        repository.release_slots(db, [item_id])
        if lease_id is not None:
            db.execute(_DROP_LEASE, {"a": lease_id})
        self.row = None


def read_and_claim(
    db: Session, claim: claims.PoolClaim, hours: HoursWindow, terms: ClaimTerms
) -> Ahead:
    """The claim target's read with a pool claim on `terms`, in one statement."""
    params = claims.target_params(claim.project_id, claim.expert_id, claim.now, hours)
    rows = CLAIM_AHEAD[claim.limited].all(db, {**params, **claim.params()})
    if not rows:
        return Ahead(None, claim, None, terms)
    claimed = rows[0][claims.TARGET_WIDTH :]
    row = claimed if claimed[0] is not None else None
    return Ahead(claims.target_from_rows(db, rows), claim, row, terms)
