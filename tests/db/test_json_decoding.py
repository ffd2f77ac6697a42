"""JSON columns read through Tandem's own decoder read as json.loads reads them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, text

from tandem.db.session import json_from_driver
from tests.conftest import TEST_DB


@pytest.mark.parametrize(
    "document",
    ['{"a": [1, 2.5, null, true], "b": {"c": "ü → 漢"}}', '  [ "x" ] ', '"text"', "3", "null"],
)
def test_json_from_the_driver_reads_as_json_loads_does(document: str) -> None:
    assert json_from_driver(document.encode()) == json.loads(document)
    assert json_from_driver(document) == json.loads(document)


@pytest.mark.skipif(TEST_DB != "postgresql", reason="the driver's JSON loader")
def test_json_columns_read_back_through_the_engines_decoder(engine: Engine) -> None:
    written = {"prompt": "Erkläre Sauerteig — 説明", "n": [1, 2.5, None], "ok": True}
    with engine.connect() as conn:
        for cast in ("json", "jsonb"):
            sql = text(f"SELECT CAST(:doc AS {cast})").bindparams(doc=json.dumps(written))
            assert conn.scalar(sql) == written
    assert engine.dialect._json_deserializer is json_from_driver  # type: ignore[attr-defined]
