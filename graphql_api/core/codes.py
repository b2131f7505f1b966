"""Coupon codes: their form, how they are matched, and how they are made."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from typing import Optional, Sequence

from .campaigns import AnyOf, Condition, Not, Reached, Unset
from .errors import ErrorCode, UserError

CODE_MIN_LENGTH, CODE_MAX_LENGTH = 4, 64
MAX_CODES_PER_CART = 5
MAX_CODES_PER_ADD = 1000
MAX_CODES_PER_GENERATE = 100_000
PREFIX_MAX_LENGTH = 16
RANDOM_LENGTH_RANGE = (8, 32)
# Upper-case letters and digits without the look-alikes 0/O and 1/I: 32
# symbols, so each random byte's low five bits pick one without bias.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
assert len(ALPHABET) == 32

# Checked on the code as sent, before upper-casing: str.upper() turns some
# non-ASCII letters into ASCII ones ("ß" -> "SS"), which must not pass.
_CODE = re.compile(r"[A-Za-z0-9_-]{%d,%d}" % (CODE_MIN_LENGTH, CODE_MAX_LENGTH))
_PREFIX = re.compile(r"[A-Z0-9-]{0,%d}" % PREFIX_MAX_LENGTH)
_TO_ALPHABET = bytes(ord(ALPHABET[byte % 32]) for byte in range(256))


# A code that is not used up (rendered to SQL for the offers read and the apply).
CODE_USABLE: Condition = AnyOf((Unset("uses_per_code"), Not(Reached("usage_count", "uses_per_code"))))


def _invalid(path: tuple, message: str) -> UserError:
    return UserError(ErrorCode.INVALID_INPUT, message, path)


def normalize(code: str) -> str:
    """The stored form: codes match without regard to case."""
    return code.upper()


def code_errors(code: str, path: tuple) -> list[UserError]:
    if _CODE.fullmatch(code) is None:
        return [_invalid(path, f"A coupon code is {CODE_MIN_LENGTH} to {CODE_MAX_LENGTH} characters of "
                               "A-Z, 0-9, - and _.")]
    return []


def cart_code_errors(codes: Sequence[str], field: str = "coupon_codes") -> list[UserError]:
    """A cart's codes: at most MAX_CODES_PER_CART, each well formed."""
    if len(codes) > MAX_CODES_PER_CART:
        return [_invalid((field,), f"A cart carries at most {MAX_CODES_PER_CART} coupon codes.")]
    return [error for n, code in enumerate(codes) for error in code_errors(code, (field, n))]


def uses_per_code_errors(uses_per_code: Optional[int]) -> list[UserError]:
    if uses_per_code is not None and uses_per_code < 1:
        return [_invalid(("uses_per_code",), "usesPerCode must be at least 1, or null for unlimited.")]
    return []


def added_code_errors(codes: Sequence[str], uses_per_code: Optional[int]) -> list[UserError]:
    errors = []
    if not 1 <= len(codes) <= MAX_CODES_PER_ADD:
        errors.append(_invalid(("codes",), f"Give 1 to {MAX_CODES_PER_ADD} codes in one call."))
    errors += [error for n, code in enumerate(codes) for error in code_errors(code, ("codes", n))]
    duplicates = sorted(code for code, times in Counter(map(normalize, codes)).items() if times > 1)
    if duplicates:
        errors.append(_invalid(("codes",), "These codes are given more than once: " + ", ".join(duplicates)))
    return errors + uses_per_code_errors(uses_per_code)


def generation_errors(count: int, prefix: str, random_length: int, uses_per_code: Optional[int]) -> list[UserError]:
    errors = []
    if not 1 <= count <= MAX_CODES_PER_GENERATE:
        errors.append(_invalid(("count",), f"count must be 1 to {MAX_CODES_PER_GENERATE}."))
    if _PREFIX.fullmatch(prefix) is None:
        errors.append(_invalid(("prefix",), f"prefix is 0 to {PREFIX_MAX_LENGTH} characters of A-Z, 0-9 and -."))
    low, high = RANDOM_LENGTH_RANGE
    if not low <= random_length <= high:
        errors.append(_invalid(("random_length",), f"randomLength must be {low} to {high}."))
    elif len(prefix) + random_length > CODE_MAX_LENGTH:
        errors.append(_invalid(("random_length",), f"prefix and randomLength together may be at most "
                                                   f"{CODE_MAX_LENGTH} characters."))
    return errors + uses_per_code_errors(uses_per_code)


def random_codes(count: int, prefix: str, random_length: int) -> list[str]:
    """`count` codes of `prefix` and `random_length` symbols from ALPHABET,
    from the operating system's randomness (5 bits a symbol)."""
    raw = secrets.token_bytes(count * random_length).translate(_TO_ALPHABET).decode()
    return [prefix + raw[n:n + random_length] for n in range(0, count * random_length, random_length)]
