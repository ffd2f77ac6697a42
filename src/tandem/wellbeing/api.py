"""Well-being API: my hours and signals, my caps, an organization's aggregates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.kit.ids import RowId
from tandem.wellbeing import service
from tandem.wellbeing.schemas import MyWellbeingOut, OrgWellbeingOut

router = APIRouter(prefix="/api/v1", tags=["wellbeing"])


@router.get("/me/wellbeing")
def my_wellbeing(actor: CurrentActor, db: SessionDep) -> MyWellbeingOut:
    """Your hours against your caps, and your private burnout signals."""
    return service.my_wellbeing(db, actor)


@router.put("/me/wellbeing/caps")
def set_my_caps(caps: dict[str, Any], actor: CurrentActor, db: SessionDep) -> MyWellbeingOut:
    """Tighten your own caps (lower weekly/daily/night caps, earlier or longer breaks)."""
    return service.set_my_caps(db, actor, caps)


@router.get("/orgs/{org_id}/wellbeing")
def org_wellbeing(org_id: RowId, actor: CurrentActor, db: SessionDep) -> OrgWellbeingOut:
    """Hours distribution and cap hits on the organization's projects; aggregates only."""
    return service.org_wellbeing(db, actor, org_id)
