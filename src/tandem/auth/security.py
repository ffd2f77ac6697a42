"""Password hashing (argon2), API token generation and hashing, pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tandem.config import get_settings

_hasher = PasswordHasher()
TOKEN_PREFIX = "tdm_"


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> str:
    """A fresh bearer token; shown once, never stored in clear."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 of a token (tokens are long random strings, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def pseudonym(expert_id: int, org_id: int) -> str:
    """A stable pseudonym of an expert as seen by one organization."""
    key = get_settings().resolved_secret_key().encode()
    digest = hmac.new(key, f"{org_id}:{expert_id}".encode(), hashlib.sha256).hexdigest()
    return f"expert-{digest[:10]}"
