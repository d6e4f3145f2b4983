"""Customer identifiers and phone numbers as customers and agents type them."""

import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from complaints.identifiers import (
    INVALID_ID_PELANGGAN,
    INVALID_METER_NUMBER,
    INVALID_PHONE,
    normalize_id_pelanggan,
    normalize_meter_number,
    normalize_phone,
    validate_id_pelanggan,
    validate_meter_number,
)

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("532100123456", "532100123456"),
        ("5321 0012 3456", "532100123456"),
        ("5321-0012-3456", "532100123456"),
        (" 532100123456 ", "532100123456"),
        ("532.100.123.456", "532100123456"),
    ],
)
def test_id_pelanggan_is_twelve_digits_without_separators(typed, normalized):
    assert normalize_id_pelanggan(typed) == normalized


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "53210012345",  # 11 digits
        "5321001234567",  # 13 digits
        "53210012345A",
        "532100/123456",
        "\u0665\u0663\u0662\u0661\u0660\u0660\u0661\u0662\u0663\u0664\u0665\u0666",  # Arabic-Indic
        "\uff15\uff13\uff12\uff11\uff10\uff10\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width
    ],
)
def test_id_pelanggan_that_is_not_twelve_ascii_digits_is_refused(typed):
    with pytest.raises(ValidationError) as excinfo:
        normalize_id_pelanggan(typed)

    assert excinfo.value.messages == [str(INVALID_ID_PELANGGAN)]
    assert excinfo.value.code == "invalid_id_pelanggan"


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [("14123456789", "14123456789"), ("141 2345 6789", "14123456789")],
)
def test_meter_number_is_eleven_digits(typed, normalized):
    assert normalize_meter_number(typed) == normalized


@pytest.mark.parametrize("typed", ["", "1412345678", "141234567890", "1412345678X", "\uff11" * 11])
def test_meter_number_that_is_not_eleven_ascii_digits_is_refused(typed):
    with pytest.raises(ValidationError) as excinfo:
        normalize_meter_number(typed)

    assert excinfo.value.messages == [str(INVALID_METER_NUMBER)]


def test_validators_do_not_strip_separators():
    """The model validators see stored values: those must already be bare digits."""
    with pytest.raises(ValidationError):
        validate_id_pelanggan("5321 0012 3456")
    with pytest.raises(ValidationError):
        validate_meter_number("141 2345 6789")
    validate_id_pelanggan("532100123456")
    validate_meter_number("14123456789")


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "6281234567890",
        "+6281234567890",
        "+62 812-3456-7890",
        " +62 812 3456 7890 ",
    ],
)
def test_indonesian_mobile_numbers_normalize_to_e164(typed):
    assert normalize_phone(typed) == "+6281234567890"


def test_jakarta_landline_normalizes_to_e164():
    assert normalize_phone("021-5551234") == "+62215551234"


def test_foreign_number_with_its_country_code_is_kept():
    assert normalize_phone("+1 202 555 0101") == "+12025550101"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "12345",
        "0812",
        "081234567890123456789",
        "+62",
        "halo admin",
        "62",
        "+99 812 3456 7890",
    ],
)
def test_invalid_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError) as excinfo:
        normalize_phone(typed)

    assert excinfo.value.messages == [str(INVALID_PHONE)]
    assert excinfo.value.code == "invalid_phone"


@given(st.text())
def test_normalize_phone_returns_e164_or_raises_validation_error(text):
    try:
        result = normalize_phone(text)
    except ValidationError:
        return
    assert E164.fullmatch(result), result


@given(st.text(alphabet="0123456789+-. ()", max_size=24))
def test_normalize_phone_on_digit_soup_returns_e164_or_raises_validation_error(text):
    try:
        result = normalize_phone(text)
    except ValidationError:
        return
    assert E164.fullmatch(result), result
    assert normalize_phone(result) == result


@given(st.text())
def test_normalize_id_pelanggan_returns_twelve_digits_or_raises_validation_error(text):
    try:
        result = normalize_id_pelanggan(text)
    except ValidationError:
        return
    assert re.fullmatch(r"[0-9]{12}", result)
