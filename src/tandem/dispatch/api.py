"""Dispatch API: an expert's reservations; a requester's allocation run and status."""

from __future__ import annotations

from fastapi import APIRouter

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.dispatch import allocator, reservations
from tandem.dispatch.schemas import AllocationOut, DispatchStatusOut, ReservationOut
from tandem.kit.clock import utcnow
from tandem.kit.ids import RowId
from tandem.projects.service import project_for_manager

router = APIRouter(prefix="/api/v1", tags=["dispatch"])


@router.get("/me/reservations")
def my_reservations(actor: CurrentActor, db: SessionDep) -> list[ReservationOut]:
    """Items reserved for the caller: per project and window, with the estimated pay."""
    return reservations.my_reservations(db, actor)


@router.post("/projects/{project_id}/allocate")
def allocate(project_id: RowId, actor: CurrentActor, db: SessionDep) -> AllocationOut:
    """Run the fair allocator for a project now (it also runs hourly and at go-live)."""
    return allocator.allocate(db, project_for_manager(db, actor, project_id), utcnow())


@router.get("/projects/{project_id}/dispatch")
def dispatch_status(project_id: RowId, actor: CurrentActor, db: SessionDep) -> DispatchStatusOut:
    """Reservations, open pool, leases and throughput of a project."""
    return reservations.dispatch_status(db, project_for_manager(db, actor, project_id))
