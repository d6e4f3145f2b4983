"""Ticket numbers: ``ADU-XXXX-XXXX``, seven random Crockford base-32 symbols and a check symbol.

The random part comes from ``secrets`` (no sequence to guess one ticket from another); the check
symbol catches every single mistyped symbol and every swap of two adjacent ones, so a customer
reading a ticket over the phone is told at once when it cannot be right.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
PREFIX = "ADU"
RANDOM_LENGTH = 7
# Crockford's decoding: letters people confuse with digits are read as those digits.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


# The symbols are the coefficients of a polynomial over GF(32) (modulus x^5 + x^2 + 1), read
# at x = 2, and the check symbol makes it zero. A mistyped symbol changes the value by a
# non-zero multiple of a power of 2; swapping neighbours a, b changes it by (a xor b) * 3 * 2^k,
# which is never zero either. (Luhn mod 32, used before, misses the swap of "0" and "Z".)
_FIELD_MODULUS = 0b100101


def _times_two(value: int) -> int:
    value <<= 1
    return value ^ _FIELD_MODULUS if value & 0b100000 else value


def check_symbol(symbols: str) -> str:
    total = 0
    for char in symbols:
        total = _times_two(total) ^ ALPHABET.index(char)
    return ALPHABET[_times_two(total)]


def new_ticket_number() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    symbols = body + check_symbol(body)
    return f"{PREFIX}-{symbols[:4]}-{symbols[4:]}"


def normalize_ticket_number(text: str) -> str | None:
    """The canonical form of a ticket number as a person typed it, or None if it is not one."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if cleaned.startswith(PREFIX):
        cleaned = cleaned[len(PREFIX) :]
    cleaned = cleaned.translate(_CONFUSABLE)
    if len(cleaned) != RANDOM_LENGTH + 1 or any(ch not in ALPHABET for ch in cleaned):
        return None
    if check_symbol(cleaned[:-1]) != cleaned[-1]:
        return None
    return f"{PREFIX}-{cleaned[:4]}-{cleaned[4:]}"
