"""Dispatch API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ReservationOut(BaseModel):
    """Items held for the expert in one project and window, with the pay they bring."""

    project_id: int
    project_name: str
    items: int
    window_start: datetime
    held_until: datetime
    estimated_pay_minor: int
    currency: str


class AllocationOut(BaseModel):
    """What one allocation run did."""

    project_id: int
    experts: int
    released: int
    reserved: int
    open_pool_slots: int


class DispatchStatusOut(BaseModel):
    """Reservations, pool, leases and throughput of one project."""

    project_id: int
    reserved: int
    experts_with_reservations: int
    active_leases: int
    open_pool_slots: int
    submitted_last_hour: int
    submitted_last_day: int
    assignments_by_status: dict[str, int]
