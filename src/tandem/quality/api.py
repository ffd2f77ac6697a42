"""Quality API: the per-project report, and an on-demand recompute."""

from __future__ import annotations

from fastapi import APIRouter

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.kit.ids import RowId
from tandem.quality import service
from tandem.quality.schemas import QualityReport

router = APIRouter(prefix="/api/v1/projects", tags=["quality"])


@router.get("/{project_id}/quality")
def quality_report(project_id: RowId, actor: CurrentActor, db: SessionDep) -> QualityReport:
    """Agreement per question, stored aggregates summary, and trust per expert pseudonym."""
    return service.report(db, actor, project_id)


@router.post("/{project_id}/quality/recompute")
def recompute(project_id: RowId, actor: CurrentActor, db: SessionDep) -> QualityReport:
    """Recompute and store aggregates and trust now (auto method)."""
    return service.recompute(db, actor, project_id)
