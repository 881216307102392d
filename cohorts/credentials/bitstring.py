"""The W3C Bitstring Status List's ``encodedList``: a GZIP-compressed bitstring, base64url without padding, with the
multibase prefix ``u``. Index 0 is the most significant (leftmost) bit of the first byte. Pure: no Django."""

import base64
import gzip
from collections.abc import Iterable

# The specification's minimum, so that one credential's index says little about who holds it (herd privacy).
MIN_SIZE = 131_072


def encode(set_indices: Iterable[int], *, size: int = MIN_SIZE) -> str:
    """The encodedList of a list of ``size`` bits with ``set_indices`` set. Deterministic (GZIP mtime 0), so the
    same revocations give the same bytes."""
    if size % 8:
        raise ValueError("size must be a multiple of 8")
    bits = bytearray(size // 8)
    for index in set_indices:
        if not 0 <= index < size:
            raise ValueError(f"index {index} outside a list of {size}")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode(encoded_list: str) -> bytes:
    """The bitstring; ValueError if ``encoded_list`` is not ``u`` + base64url of GZIP data."""
    if not encoded_list.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u')")
    body = encoded_list[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return gzip.decompress(compressed)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError("encodedList is not base64url GZIP data") from exc


def is_set(bits: bytes, index: int) -> bool:
    """ValueError if ``index`` is past the end of the list (the specification's STATUS_LIST_LENGTH_ERROR)."""
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"index {index} outside a list of {len(bits) * 8}")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
