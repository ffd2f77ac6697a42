"""Ids as the API takes them: an id outside the database's BIGINT range is bad input.

Without the bound a path id like 99999999999999999999 reached the database and came back
as a 500 (an integer out of range); with it the answer is a 422 naming the parameter.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1

# for route parameters: pydantic checks the bound, mypy sees an int
RowId = Annotated[int, Interval(ge=BIGINT_MIN, le=BIGINT_MAX)]
