"""Organization rules. Never commits."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.kit.errors import ValidationFailed, field_error
from tandem.models import Organization


def get_or_create_org(db: Session, slug: str, name: str | None = None) -> Organization:
    """The organization with this slug, created when missing."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
        raise ValidationFailed("invalid slug", errors=[field_error(["slug"], "use a-z, 0-9 and -")])
    org = db.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        org = Organization(slug=slug, name=name or slug)
        db.add(org)
        db.flush()
    return org
