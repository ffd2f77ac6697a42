"""Auth: tokens, web login with CSRF, object-level access."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.auth.security import hash_password, pseudonym, verify_password
from tandem.auth.service import actor_from_token, create_token, revoke_token
from tandem.kit.clock import FakeClock
from tandem.kit.errors import Unauthorized
from tandem.models import ApiToken, Membership
from tandem.models.enums import Role
from tests import factories as f


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def test_argon2_hash_verifies_only_the_right_password() -> None:
    hashed = hash_password("s3cret-pass")
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "s3cret-pass")
    assert not verify_password(hashed, "s3cret-pasS")
    assert not verify_password("garbage", "s3cret-pass")


def test_token_lifecycle(client: TestClient, db: Session) -> None:
    person = f.requester(db, f.org(db))
    headers = f.token_headers(db, person)
    made = client.post("/api/v1/tokens", json={"name": "ci"}, headers=headers)
    assert made.status_code == 201
    token = made.json()["token"]
    stored = db.get(ApiToken, made.json()["id"])
    assert stored is not None and token not in (stored.token_hash, stored.prefix)
    listed = client.get("/api/v1/tokens", headers=headers).json()
    assert {t["name"] for t in listed} == {"test", "ci"}
    assert all("token" not in t for t in listed)
    new_h = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=new_h).json()["email"] == person.user.email
    assert client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=headers).status_code == 200
    revoked = client.get("/api/v1/me", headers=new_h)
    assert revoked.status_code == 401
    assert revoked.headers["content-type"].startswith("application/problem+json")


def test_no_or_bad_credentials_are_401(client: TestClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic x"}).status_code == 401


def test_web_login_needs_csrf_and_right_password(client: TestClient, db: Session) -> None:
    expert = f.expert(db)
    page = client.get("/login")
    token = _csrf(page.text)
    no_csrf = client.post(
        "/login", data={"email": expert.user.email, "password": f.PASSWORD, "csrf": "forged"}
    )
    assert no_csrf.status_code == 403
    wrong = client.post(
        "/login", data={"email": expert.user.email, "password": "nope-nope", "csrf": token}
    )
    assert wrong.status_code == 401 and "wrong email or password" in wrong.text
    ok = client.post(
        "/login",
        data={"email": expert.user.email, "password": f.PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/work").status_code == 200
    # cookie-authenticated API writes need the CSRF header too
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 403
    out = client.post(
        "/logout", data={"csrf": _csrf(client.get("/work").text)}, follow_redirects=False
    )
    assert out.status_code == 303
    assert client.get("/work", follow_redirects=False).status_code == 303


def test_registration_creates_an_expert_awaiting_admission(client: TestClient, db: Session) -> None:
    token = _csrf(client.get("/register").text)
    bad = client.post(
        "/register",
        data={
            "email": "new@example.com",
            "password": "12345678",
            "display_name": "New",
            "time_zone": "Mars/Base",
            "csrf": token,
        },
    )
    assert bad.status_code == 422 and "time zone" in bad.text
    ok = client.post(
        "/register",
        data={
            "email": "new@example.com",
            "password": "12345678",
            "display_name": "New",
            "time_zone": "Asia/Jakarta",
            "csrf": token,
        },
    )
    assert ok.status_code == 200 and "waiting for admission" in ok.text


def test_pseudonyms_are_stable_per_org_and_differ_across_orgs() -> None:
    assert pseudonym(7, 1) == pseudonym(7, 1)
    assert pseudonym(7, 1) != pseudonym(7, 2)
    assert pseudonym(7, 1) != pseudonym(8, 1)


def test_token_last_use_is_written_at_most_once_a_minute(db: Session, clock: FakeClock) -> None:
    person = f.expert(db)
    row, clear = create_token(db, person.user, "cli")
    actor = actor_from_token(db, clear)
    assert actor.expert is not None and actor.expert.id == person.require_expert().id
    first = row.last_used_at
    assert first == clock.now()
    clock.advance(seconds=30)
    actor_from_token(db, clear)
    assert row.last_used_at == first
    clock.advance(seconds=31)
    actor_from_token(db, clear)
    assert row.last_used_at == clock.now()


def test_revoked_token_and_inactive_user_are_refused(db: Session) -> None:
    person = f.expert(db)
    row, clear = create_token(db, person.user, "cli")
    person.user.is_active = False
    with pytest.raises(Unauthorized):
        actor_from_token(db, clear)
    person.user.is_active = True
    revoke_token(db, person.user, row.id)
    with pytest.raises(Unauthorized):
        actor_from_token(db, clear)


def test_a_token_carries_every_role_of_its_owner_in_every_org(db: Session) -> None:
    first, second = f.org(db), f.org(db)
    person = f.requester(db, first)
    for role in (Role.REQUESTER, Role.REVIEWER):
        db.add(Membership(org_id=second.id, user_id=person.user.id, role=role))
    db.flush()
    _, clear = create_token(db, person.user, "roles")
    actor = actor_from_token(db, clear)
    assert actor.roles == {first.id: {Role.REQUESTER}, second.id: {Role.REQUESTER, Role.REVIEWER}}
    loner = f.expert(db)
    _, clear = create_token(db, loner.user, "none")
    assert actor_from_token(db, clear).roles == {}
