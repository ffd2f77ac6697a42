"""`tandem aggregate` and `tandem agreement` on crowd-label CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from tandem.cli.main import app

runner = CliRunner()


def _write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["item", "worker", "label"])
        writer.writerows(rows)
    return path


def test_aggregate_writes_one_label_per_item(tmp_path: Path) -> None:
    rows = [
        (f"q{i}", f"w{w}", "cat" if (i + (w == 2)) % 2 else "dog")
        for i in range(6)
        for w in range(3)
    ]
    labels = _write(tmp_path / "labels.csv", rows)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["aggregate", str(labels), "--method", "mv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open() as fh:
        written = list(csv.DictReader(fh))
    assert [r["item"] for r in written] == [f"q{i}" for i in range(6)]
    assert [r["label"] for r in written] == ["dog" if i % 2 == 0 else "cat" for i in range(6)]
    assert all(abs(float(r["confidence"]) - 2 / 3) < 1e-6 for r in written)


def test_aggregate_names_the_bad_row_and_column(tmp_path: Path) -> None:
    labels = _write(tmp_path / "bad.csv", [("q1", "w1", "x"), ("q2", "w2", "")])
    result = runner.invoke(app, ["aggregate", str(labels)])
    assert result.exit_code == 1
    assert "row 3, label" in result.output


def test_aggregate_refuses_an_unknown_method(tmp_path: Path) -> None:
    labels = _write(tmp_path / "labels.csv", [("q1", "w1", "x")])
    result = runner.invoke(app, ["aggregate", str(labels), "--method", "nope"])
    assert result.exit_code != 0


def test_agreement_prints_alpha_and_kappas(tmp_path: Path) -> None:
    rows = [(f"q{i}", f"w{w}", str(i % 3)) for i in range(9) for w in range(3)]
    labels = _write(tmp_path / "labels.csv", rows)
    result = runner.invoke(app, ["agreement", str(labels)])
    assert result.exit_code == 0, result.output
    assert "alpha (interval)" in result.output and "Fleiss" in result.output
    assert "1.0000" in result.output
