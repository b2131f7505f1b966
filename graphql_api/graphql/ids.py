"""Opaque IDs: base64 of "TypeName:primary key", as Relay global IDs are.

Clients never build or parse them; a string that does not decode to the type
a field expects is simply an unknown object.
"""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Optional

_MAX_PK = 2**63 - 1
_MAX_ID_LENGTH = 128


# A pure function on every object a response lists: the ids in use stay warm.
@functools.lru_cache(maxsize=8192)
def encode_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode_id(value: str, expected_type: str) -> Optional[int]:
    type_name, pk = decode_any_id(value)
    return pk if type_name == expected_type else None


def decode_any_id(value: str) -> tuple[Optional[str], Optional[int]]:
    if not isinstance(value, str) or len(value) > _MAX_ID_LENGTH:
        return None, None
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, ValueError):
        return None, None
    type_name, _, raw_pk = text.partition(":")
    if not (raw_pk.isascii() and raw_pk.isdigit()) or raw_pk != str(int(raw_pk)):
        return None, None
    pk = int(raw_pk)
    if not 1 <= pk <= _MAX_PK:
        return None, None
    return type_name, pk
