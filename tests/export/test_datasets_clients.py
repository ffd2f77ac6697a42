"""Real clients: Hugging Face `datasets` loads every export; DPO has TRL's columns."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.orm import Session

from tandem.export import service
from tandem.export.formats import dpo, labels, raw, reward, sft
from tandem.export.schemas import ExportOptions
from tests.export.conftest import Answered

datasets = pytest.importorskip("datasets")
MODULES: dict[str, ModuleType] = {
    "sft": sft,
    "dpo": dpo,
    "reward": reward,
    "labels": labels,
    "raw": raw,
}


@pytest.mark.parametrize("fmt", list(MODULES))
def test_parquet_and_json_load_with_the_schema_features(
    db: Session, answered: Answered, tmp_path: Path, fmt: str
) -> None:
    expected = datasets.Features.from_arrow_schema(MODULES[fmt].SCHEMA)
    loaded = {}
    for file, builder in (("parquet", "parquet"), ("jsonl", "json")):
        opts = ExportOptions(fmt, file)
        out = tmp_path / file
        result = service.export_to_directory(db, answered.owner, answered.project.id, opts, out)
        assert (out / "README.md").read_text().startswith("---\nlicense:")
        ds = datasets.load_dataset(
            builder,
            data_files=str(out / opts.filename),
            split="train",
            cache_dir=str(tmp_path / "cache"),
            # JSON has no types of its own: the schema's features say how to read it
            features=None if builder == "parquet" else expected,
        )
        assert ds.num_rows == result.stats.rows > 0
        assert ds.features == expected
        loaded[file] = ds.to_list()
    assert loaded["parquet"] == loaded["jsonl"]


def test_dpo_has_the_columns_trl_expects(db: Session, answered: Answered, tmp_path: Path) -> None:
    opts = ExportOptions("dpo", "jsonl")
    service.export_to_directory(db, answered.owner, answered.project.id, opts, tmp_path)
    # inferred from the file alone, as a TRL user would load it
    ds = datasets.load_dataset(
        "json", data_files=str(tmp_path / "dpo.jsonl"), split="train", cache_dir=str(tmp_path / "c")
    )
    for column in ("prompt", "chosen", "rejected"):
        assert ds.features[column] == datasets.Value("string")
    assert all(row["chosen"] != row["rejected"] for row in ds)


def test_sft_messages_are_chat_turns(db: Session, answered: Answered, tmp_path: Path) -> None:
    opts = ExportOptions("sft", "parquet")
    service.export_to_directory(db, answered.owner, answered.project.id, opts, tmp_path)
    ds = datasets.load_dataset(
        "parquet", data_files=str(tmp_path / "sft.parquet"), split="train",
        cache_dir=str(tmp_path / "c"),
    )  # fmt: skip
    assert [m["role"] for m in ds[0]["messages"]] == ["user", "assistant"]


def test_label_studio_export_loads_as_json(db: Session, answered: Answered, tmp_path: Path) -> None:
    opts = ExportOptions("label-studio", "json")
    service.export_to_directory(db, answered.owner, answered.project.id, opts, tmp_path)
    ds = datasets.load_dataset(
        "json", data_files=str(tmp_path / "label_studio.json"), split="train",
        cache_dir=str(tmp_path / "c"),
    )  # fmt: skip
    assert ds.num_rows == 2 and {"data", "annotations", "meta"} <= set(ds.column_names)
