"""Console test helpers: log a user in through the real login form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tandem.auth.actor import Actor
from tests import factories as f

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def login(client: TestClient, actor: Actor) -> str:
    """Log `actor` in; returns the session's CSRF token."""
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    form = {"email": actor.user.email, "password": f.PASSWORD, "csrf": token[1]}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    fresh = CSRF.search(client.get("/console").text)
    assert fresh is not None
    return fresh[1]
