"""Ticket numbers: ``ADU-XXXX-XXXX``, seven random Crockford base-32 symbols and a check symbol.

The random part comes from ``secrets`` (no sequence to guess one ticket from another); the check
symbol is Luhn mod 32, which catches every single mistyped symbol and every swap of two adjacent
ones, so a customer reading a ticket over the phone is told at once when it cannot be right.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
PREFIX = "ADU"
RANDOM_LENGTH = 7
# Crockford's decoding: letters people confuse with digits are read as those digits.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_symbol(symbols: str) -> str:
    n = len(ALPHABET)
    total = 0
    factor = 2
    for char in reversed(symbols):
        addend = factor * ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


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
