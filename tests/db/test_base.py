"""UTCDateTime: aware datetimes in, naive UTC stored, aware UTC out, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from tandem.db.base import UTCDateTime

DIALECTS = [postgresql.dialect(), sqlite.dialect()]
AT = datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=UTC)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize(
    "given",
    [AT, AT.astimezone(timezone(timedelta(hours=7))), AT.astimezone(ZoneInfo("America/New_York"))],
    ids=["utc", "plus-7", "new-york"],
)
def test_an_aware_time_is_stored_as_naive_utc(dialect: Dialect, given: datetime) -> None:
    stored = UTCDateTime().process_bind_param(given, dialect)
    assert stored == datetime(2026, 12, 2, 1, 2, 3, 456789)
    assert stored is not None and stored.tzinfo is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        # New York's repeated hour at the end of summer time: the fold picks the offset
        (datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York")), 5),
        (datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")), 6),
        (datetime(2026, 11, 1, 6, 30, tzinfo=ZoneInfo("UTC")), 6),  # not the same object as UTC
    ],
)
def test_folds_and_other_utc_zones_are_converted(given: datetime, stored: int) -> None:
    assert UTCDateTime().process_bind_param(given, DIALECTS[0]) == datetime(2026, 11, 1, stored, 30)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2026, 12, 2), DIALECTS[0])


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_a_stored_time_reads_back_aware_in_utc(dialect: Dialect) -> None:
    read = UTCDateTime().process_result_value(datetime(2026, 12, 2, 1, 2, 3, 456789), dialect)
    assert read == AT
    assert read is not None and read.tzinfo is UTC


def test_none_stays_none() -> None:
    column = UTCDateTime()
    assert column.process_bind_param(None, DIALECTS[0]) is None
    assert column.process_result_value(None, DIALECTS[0]) is None
