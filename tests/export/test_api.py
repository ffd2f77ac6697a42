"""The export API: datasets as downloads, a zipped card, and Label Studio uploads."""

from __future__ import annotations

import io
import json
import zipfile

import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories as f
from tests.export.conftest import FORM, Answered


def test_dataset_download_as_parquet_and_zipped_with_its_card(
    client: TestClient, db: Session, answered: Answered
) -> None:
    headers = f.token_headers(db, answered.owner)
    url = f"/api/v1/projects/{answered.project.id}/export"
    got = client.get(url, params={"format": "dpo", "file": "parquet"}, headers=headers)
    assert got.status_code == 200, got.text
    assert 'filename="project-' in got.headers["content-disposition"]
    table = pq.read_table(io.BytesIO(got.content))
    assert {"prompt", "chosen", "rejected"} <= set(table.column_names)
    bundle = client.get(
        url, params={"format": "raw", "accepted_only": "true", "bundle": "true"}, headers=headers
    )
    assert bundle.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(bundle.content))
    assert sorted(archive.namelist()) == ["README.md", "raw.jsonl"]
    assert "accepted submissions only" in archive.read("README.md").decode()
    rows = archive.read("raw.jsonl").decode().splitlines()
    assert [json.loads(r)["review_verdict"] for r in rows] == ["fix"]


def test_bad_options_are_problem_details(
    client: TestClient, db: Session, answered: Answered
) -> None:
    headers = f.token_headers(db, answered.owner)
    url = f"/api/v1/projects/{answered.project.id}/export"
    got = client.get(url, params={"format": "label-studio", "file": "parquet"}, headers=headers)
    assert got.status_code == 422
    assert got.json()["errors"][0]["loc"] == ["file"]
    unknown = client.get(url, params={"format": "xml"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["format"]


def test_label_studio_upload(client: TestClient, db: Session, answered: Answered) -> None:
    headers = f.token_headers(db, answered.owner)
    url = f"/api/v1/projects/{answered.project.id}/export"
    tasks = client.get(url, params={"format": "label-studio"}, headers=headers).content
    assert json.loads(tasks)[0]["annotations"]
    organization_id = answered.project.org_id
    target = client.post(
        "/api/v1/projects",
        json={"org_id": organization_id, "name": "moved", "form": FORM,
              "pay_terms": {"model": "per_item", "currency": "USD", "per_item_minor": 100}},
        headers=headers,
    )  # fmt: skip
    assert target.status_code in (200, 201), target.text
    done = client.post(
        f"/api/v1/projects/{target.json()['id']}/label-studio-import",
        params={"gold_from": "first"},
        files={"file": ("export.json", tasks, "application/json")},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["imported"] == 2 and done.json()["gold"] == 2
