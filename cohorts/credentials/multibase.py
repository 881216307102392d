"""Base58btc multibase and Ed25519 Multikeys (``z6Mk…``), as the Controlled Identifiers and vc-di-eddsa specifications
encode them. Pure: no Django."""

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(_ALPHABET)}
# The multicodec header of an Ed25519 public key (0xed, as an unsigned varint: 0xed 0x01).
_ED25519_PUB_HEADER = b"\xed\x01"


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_ALPHABET[rest])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """Raises ValueError on a character outside the alphabet."""
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"not base58btc: {char!r}")
        number = number * 58 + _INDEX[char]
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def multibase_encode(data: bytes) -> str:
    """``z`` + base58btc: the multibase form of proofValue and publicKeyMultibase."""
    return "z" + base58btc_encode(data)


def multibase_decode(text: str) -> bytes:
    """Raises ValueError unless ``text`` is ``z`` + base58btc."""
    if not text.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    return base58btc_decode(text[1:])


def ed25519_multikey(public_key: bytes) -> str:
    """The 32 raw bytes of an Ed25519 public key as a Multikey ``publicKeyMultibase`` (``z6Mk…``)."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return multibase_encode(_ED25519_PUB_HEADER + public_key)


def ed25519_from_multikey(multikey: str) -> bytes:
    """The raw public key in a ``z6Mk…`` Multikey; ValueError if it is not an Ed25519 one."""
    data = multibase_decode(multikey)
    if len(data) != 34 or not data.startswith(_ED25519_PUB_HEADER):
        raise ValueError("not an Ed25519 Multikey")
    return data[2:]
