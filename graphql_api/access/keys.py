"""API keys: `csk_<public id>_<secret>`.

The secret carries 256 bits from `secrets`, so a fast hash (SHA-256) is the
right tool: there is nothing to brute-force that a slow hash would protect.
Only the hash is stored; the whole key is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from .models import ApiKey
from .roles import Role

PREFIX = "csk"
# last_used_at is a hint for humans; writing it at most once a minute keeps it
# off the hot path.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKeyRecord:
    id: int
    public_id: str
    name: str
    role: Role
    secret_hash: str
    created_at: datetime
    last_used_at: Optional[datetime]
    revoked_at: Optional[datetime]


@dataclass(frozen=True)
class Caller:
    """Who is calling: what the request context carries."""

    key_id: int
    public_id: str
    name: str
    role: Role


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(key: str) -> Optional[tuple[str, str]]:
    """(public id, secret), or None when it is not shaped like one of ours."""
    parts = key.split("_", 2)  # the secret may itself contain "_"
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2] or len(key) > 200:
        return None
    return parts[1], parts[2]


def secret_matches(record: ApiKeyRecord, secret: str) -> bool:
    return hmac.compare_digest(record.secret_hash, _hash(secret))


_COLUMNS = (
    ApiKey.id, ApiKey.public_id, ApiKey.name, ApiKey.role, ApiKey.secret_hash,
    ApiKey.created_at, ApiKey.last_used_at, ApiKey.revoked_at,
)


def _record(row) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id, public_id=row.public_id, name=row.name, role=Role(row.role), secret_hash=row.secret_hash,
        created_at=row.created_at, last_used_at=row.last_used_at, revoked_at=row.revoked_at,
    )


def create_key(session: Session, name: str, role: Role, now: datetime) -> tuple[ApiKeyRecord, str]:
    """Returns the stored record and the whole key, which exists only here."""
    public_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = session.execute(
        insert(ApiKey)
        .values(public_id=public_id, name=name, role=role.value, secret_hash=_hash(secret), created_at=now)
        .returning(*_COLUMNS)
    ).one()
    return _record(row), f"{PREFIX}_{public_id}_{secret}"


def list_keys(session: Session) -> list[ApiKeyRecord]:
    return [_record(row) for row in session.execute(select(*_COLUMNS).order_by(ApiKey.id))]


def count_keys(session: Session) -> int:
    return session.execute(select(func.count()).select_from(ApiKey)).scalar_one()


def revoke_key(session: Session, public_id: str, now: datetime) -> bool:
    revoked = session.execute(
        update(ApiKey)
        .where(ApiKey.public_id == public_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiKey.id)
    ).first()
    return revoked is not None


def key_by_public_id(session: Session, public_id: str) -> Optional[ApiKeyRecord]:
    """The key, for authentication. Only a read: a failed attempt must not
    touch the key (note_use does that once the secret matched)."""
    row = session.execute(select(*_COLUMNS).where(ApiKey.public_id == public_id)).first()
    return None if row is None else _record(row)


def note_use(session: Session, key_id: int, now: datetime) -> None:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION."""
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None),
               or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_RESOLUTION))
        .values(last_used_at=now)
    )
