"""Which free item a pool claim takes: a bounded walk down ix_item_claim, as SQL.

Items with answers first (so items complete sooner), at most STARTED_WALK deep among them,
then the newest fresh item; the full walk only when no fresh item is left. Built once at
import: every claim runs it (tandem.dispatch.claims wraps it in the claim statement).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    select,
    true,
    update,
)

from tandem.db.base import BigId, UTCDateTime
from tandem.models import Assignment, Item
from tandem.models.enums import ItemStatus

_A = cast(Table, Assignment.__table__)
_I = cast(Table, Item.__table__)
# the claim statement's parameters, shared with tandem.dispatch.claims
PROJECT_ID = bindparam("p", type_=BigId)
EXPERT_ID = bindparam("e", type_=BigId)
_P, _E = PROJECT_ID, EXPERT_ID


# How deep a claim looks among items that already have answers before it takes a fresh
# one. The expert's own answered items stay among them until others fill them up: a lone
# expert's claim had walked over every one it ever answered (claim p50 2.1 → 129 ms over
# 1,500 claims: benchmarks/lone_expert.py).
STARTED_WALK = 32


def _pool_used() -> Any:
    return (
        select(func.count())
        .select_from(_A)
        .where(
            _A.c.project_id == _P,
            _A.c.expert_id == _E,
            _A.c.source == "pool",
            _A.c.opened_at >= bindparam("since", type_=UTCDateTime()),
        )
        .scalar_subquery()
    )


def _free_slot_conditions(item: Any, limited: bool) -> list[Any]:
    """`item` (an alias of the item table) has a slot free, within the pool's hourly limit."""
    return [
        item.c.project_id == _P,
        item.c.status == ItemStatus.OPEN,
        item.c.is_gold == false(),
        item.c.taken < bindparam("k", type_=Integer),
        _pool_used() < bindparam("limit", type_=Integer) if limited else true(),
    ]


def _not_had(item: Any) -> Any:
    return ~exists().where(_A.c.item_id == item.c.id, _A.c.expert_id == _E)


def _walk(item: Any, limited: bool, *extra: Any) -> Any:
    """The first free item down ix_item_claim (answered ones first) this expert never had."""
    return (
        select(item.c.id)
        .where(*_free_slot_conditions(item, limited), *extra, _not_had(item))
        # both keys descending, so the database walks ix_item_claim backwards, not sorting
        .order_by(item.c.taken.desc(), item.c.id.desc())
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )


def _started_nearby(limited: bool) -> Any:
    """The first item with answers this expert never had, among the top STARTED_WALK."""
    started = _I.alias("started")
    top = (
        select(started.c.id, started.c.taken)
        .where(*_free_slot_conditions(started, limited), started.c.taken > 0)
        .order_by(started.c.taken.desc(), started.c.id.desc())
        .limit(STARTED_WALK)
        .subquery("top")
    )
    pick = _I.alias("pick")
    return (
        select(pick.c.id)
        .select_from(top.join(pick, pick.c.id == top.c.id))
        # re-checked on the locked row: the top was read without locks
        .where(
            pick.c.status == ItemStatus.OPEN,
            pick.c.taken < bindparam("k", type_=Integer),
            _not_had(pick),
        )
        .order_by(top.c.taken.desc(), top.c.id.desc())
        .limit(1)
        .with_for_update(of=pick, skip_locked=True)
        .scalar_subquery()
    )


def _candidate(limited: bool) -> Any:
    """The next free item for the expert; `limited`: only under the pool's hourly limit.

    Items with answers come first (complete items sooner), but only the top STARTED_WALK of
    them are looked at before a fresh item; the full walk runs only when no fresh item is
    left, so work is never refused while a slot is free.
    """
    fresh = _I.alias("fresh")
    return func.coalesce(
        _started_nearby(limited),
        # not `taken = 0`: with the count fixed, the primary key gives the same order, and a
        # plan made for known values (PostgreSQL's default) walked it backwards over every
        # item handed out so far (taken is never negative, so this is the same rows)
        _walk(fresh, limited, fresh.c.taken < literal_column("1")),
        _walk(_I.alias("anywhere"), limited),
    )


def _take_slot(limited: bool) -> Any:
    return (
        update(_I)
        .where(_I.c.id == _candidate(limited), _I.c.taken < bindparam("k", type_=Integer))
        .values(taken=_I.c.taken + 1)
        .returning(_I.c.id)
    )


# by whether the project limits open-pool claims per hour: without a limit there is
# nothing to count (the count reads every pool claim of the expert's last hour)
TAKE_SLOT = {limited: _take_slot(limited) for limited in (True, False)}
