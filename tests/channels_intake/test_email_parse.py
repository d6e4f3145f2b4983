"""E-mail parsing on recorded messages from common clients, and on anything at all
(hypothesis): the parser never raises and never touches the database."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels_intake.email.classify import guess_category, guess_language
from channels_intake.email.extract import find_identifiers, find_tickets
from channels_intake.email.parse import decode_bytes, decode_header_value, parse_email
from channels_intake.email.receive import looks_like_email, provider_id
from channels_intake.email.text import html_to_text, strip_quoted_reply
from complaints.tickets import new_ticket_number

FIXTURES = Path(__file__).parent / "fixtures" / "email"
OUR_ID = "aduan.41.9f2c0e1ab3d4@pln123.example"


def fixture(name: str, *, ticket: str = "ADU-0000-0000", our_id: str = OUR_ID) -> bytes:
    raw = (FIXTURES / name).read_bytes()
    return raw.replace(b"{{TICKET}}", ticket.encode()).replace(
        b"{{OUR_MESSAGE_ID}}", our_id.encode()
    )


def test_gmail_multipart_alternative_prefers_the_plain_part_and_decodes_the_subject():
    parsed = parse_email(fixture("gmail_multipart_alternative.eml"))

    assert parsed.subject == "Pengaduan Gangguan Listrik \u2013 ID Pelanggan 530012345678"
    assert parsed.from_name == "Budi Santoso"
    assert parsed.from_address == "budi.santoso@gmail.com"
    assert parsed.message_id == "CAJx8Fq3mL0vR9nYt2c5Kp1Wd7sE4hZbQ6uXoN2aG8fVjT1rM4w@mail.gmail.com"
    assert parsed.new_text.startswith("Selamat pagi PLN,\n\nListrik di rumah saya padam")
    assert "Terima kasih \u2013 Budi" in parsed.new_text  # UTF-8 en dash through quoted-printable
    assert "<div" not in parsed.text
    assert parsed.html.startswith('<div dir="ltr">')
    assert parsed.auto_reason == ""
    assert parsed.identifiers.id_pelanggan == "530012345678"
    assert parsed.identifiers.phone == "+6281234567890"
    assert parsed.date is not None
    assert parsed.date.utcoffset().total_seconds() == 7 * 3600


def test_outlook_windows_1252_quoted_printable_reply_keeps_only_the_new_text():
    parsed = parse_email(fixture("outlook_reply_qp_windows1252.eml", ticket="ADU-7K3M-9Q2Y"))

    assert parsed.subject == "RE: [ADU-7K3M-9Q2Y] Pengaduan Anda sudah kami terima"
    assert "Petugas belum datang \u2013 mohon kabari kapan “regu” tiba." in parsed.new_text
    # Outlook's "From: / Sent: / To: / Subject:" block starts the quoted history.
    assert "Pengaduan Anda sudah kami terima dengan nomor tiket" not in parsed.new_text
    assert parsed.new_text.endswith("Telp. 0813 9876 5432")
    assert parsed.in_reply_to == (OUR_ID,)
    assert parsed.thread_ids == (OUR_ID,)
    assert parsed.identifiers.phone == "+6281398765432"


def test_iso_8859_1_header_and_body_are_decoded():
    parsed = parse_email(fixture("thunderbird_iso8859_1.eml"))

    assert parsed.from_name == "André Wijaya"
    assert "André Wijaya" in parsed.new_text
    assert "wrote:" not in parsed.new_text
    assert "Terima kasih telah" not in parsed.new_text
    assert parsed.identifiers.meter_number == "14123456789"
    assert guess_category(parsed.subject, parsed.new_text) == "tegangan"


def test_html_only_base64_mail_becomes_readable_text_without_markup_or_scripts():
    parsed = parse_email(fixture("html_only_base64.eml"))

    assert parsed.subject == "Kabel putus di depan rumah ⚠️"
    assert parsed.new_text.splitlines()[0] == "Yth. PLN,"
    assert "Ada kabel putus menjuntai di depan rumah No. 8" in parsed.new_text
    assert "Terima kasih & salam," in parsed.new_text  # &nbsp; and &amp; decoded
    assert "alert(" not in parsed.text
    assert "margin" not in parsed.text
    assert parsed.identifiers.id_pelanggan == "531234567890"
    assert parsed.identifiers.phone == "+6285711223344"
    assert guess_category(parsed.subject, parsed.new_text) == "bahaya"


def test_attachments_keep_their_bytes_and_rfc2231_names():
    parsed = parse_email(fixture("iphone_photo_attachment.eml"))

    photo, vcard = parsed.attachments
    assert (photo.filename, photo.content_type, photo.inline) == (
        "IMG_4821.jpeg",
        "image/jpeg",
        True,
    )
    assert photo.content.startswith(b"\xff\xd8\xff")
    assert (vcard.filename, vcard.content_type) == ("Rizky Pratama.vcf", "text/vcard")
    assert parsed.identifiers.meter_number == "14987654321"
    assert guess_category(parsed.subject, parsed.new_text) == "token"


def test_bounce_dsn_is_automatic_and_names_the_message_we_sent():
    parsed = parse_email(fixture("bounce_dsn_postfix.eml"), envelope_from="")

    assert parsed.auto_reason == "bounce"
    assert parsed.bounce is not None
    assert parsed.bounce.original_message_id == OUR_ID
    assert parsed.bounce.recipients == ("budi.salah.ketik@gmial.com",)
    assert (parsed.bounce.action, parsed.bounce.status) == ("failed", "5.1.1")
    assert parsed.bounce.permanent


def test_a_plain_text_bounce_from_the_mailer_daemon_is_automatic():
    raw = (
        b"From: MAILER-DAEMON@mail.example.co.id\r\nSubject: failure notice\r\n\r\n"
        b"Hi. This is the qmail-send program. I'm afraid I wasn't able to deliver your message"
        b" to the following addresses.\r\n<budi@example.co.id>:\r\nmailbox unavailable\r\n"
    )

    parsed = parse_email(raw)

    assert parsed.auto_reason == "bounce"
    assert parsed.bounce is not None
    assert not parsed.bounce.permanent  # no machine-readable status: nothing is concluded


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("outlook_out_of_office.eml", "auto-submitted: auto-generated"),
        ("gmail_vacation_autoreply.eml", "auto-submitted: auto-replied"),
    ],
)
def test_out_of_office_replies_are_automatic(name, reason):
    parsed = parse_email(fixture(name))

    assert parsed.auto_reason == reason
    assert parsed.is_automatic
    assert parsed.in_reply_to == (OUR_ID,)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Precedence: bulk", "precedence: bulk"),
        ("Precedence: auto_reply", "precedence: auto_reply"),
        ("Precedence: list", "precedence: list"),
        ("List-Id: <warga.rt05.example>", "mailing list (list-id)"),
        ("List-Unsubscribe: <mailto:leave@example.com>", "mailing list (list-unsubscribe)"),
        ("X-Loop: pengaduan@pln123.example", "x-loop"),
        ("X-Auto-Response-Suppress: DR, AutoReply", "x-auto-response-suppress"),
        ("Return-Path: <>", "null sender"),
    ],
)
def test_loop_and_list_headers_mark_mail_automatic(header, reason):
    raw = (
        f"From: Someone <someone@example.com>\r\n{header}\r\nSubject: hi\r\n\r\nListrik padam\r\n"
    ).encode()

    assert parse_email(raw).auto_reason == reason


def test_auto_submitted_no_is_a_person_and_a_null_envelope_sender_is_not():
    raw = b"From: a@example.com\r\nAuto-Submitted: no\r\nSubject: x\r\n\r\nbody\r\n"

    assert parse_email(raw).auto_reason == ""
    assert parse_email(raw, envelope_from="").auto_reason == "null sender"
    assert parse_email(raw, envelope_from="a@example.com").auto_reason == ""


def test_unknown_charset_and_8bit_headers_fall_back_instead_of_failing():
    raw = (
        "From: Ratna Sari <ratna@example.id>\r\n"
        "Subject: Listrik padam \u2013 mohon bantuan\r\n"  # raw UTF-8 in a header (no RFC 2047)
        "Content-Type: text/plain; charset=x-klingon\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "Sudah 3 jam padam, kulkas rusak \u2013 tolong.\r\n"
    ).encode()

    parsed = parse_email(raw)

    assert parsed.subject == "Listrik padam \u2013 mohon bantuan"
    assert parsed.new_text == "Sudah 3 jam padam, kulkas rusak \u2013 tolong."


def test_latin1_label_is_read_as_windows_1252():
    # Outlook labels curly quotes (0x93/0x94) as iso-8859-1.
    assert decode_bytes(b"\x93regu\x94 \x96 Rp", "iso-8859-1") == "“regu” \u2013 Rp"
    assert decode_bytes(b"caf\xc3\xa9", None) == "café"
    assert decode_bytes(b"\xff\xfe", "no-such-charset") == "ÿþ"


def test_encoded_word_subject_with_bad_charset_is_kept_readable():
    assert decode_header_value("=?x-bogus?Q?Listrik_padam?=") in (
        "Listrik padam",
        "=?x-bogus?Q?Listrik_padam?=",
    )
    assert decode_header_value("=?UTF-8?B?bm90IGJhc2U2NA=?=") != ""


def test_identifiers_prefer_labels_and_never_read_a_phone_as_an_id():
    found = find_identifiers("hubungi 081234567890 ya", "meter 14123456789, idpel 530000000123")
    assert (found.id_pelanggan, found.meter_number, found.phone) == (
        "530000000123",
        "14123456789",
        "+6281234567890",
    )
    bare = find_identifiers("rekening 530012345678 dan kwh 14123456789")
    assert (bare.id_pelanggan, bare.meter_number) == ("530012345678", "14123456789")
    assert find_identifiers("telp 08123456789").id_pelanggan == ""
    assert find_identifiers("telp 08123456789").meter_number == ""


def test_tickets_in_subjects_need_a_valid_check_symbol():
    ticket = new_ticket_number()
    broken = ticket[:-1] + ("0" if ticket[-1] != "0" else "1")

    assert find_tickets(f"Re: [#{ticket}] Pengaduan Anda") == (ticket,)
    assert find_tickets(f"Re: {ticket.lower().replace('-', ' ')}") == (ticket,)
    assert find_tickets(f"Re: [{broken}]") == ()


def test_quoted_history_markers_in_indonesian_and_english():
    text = "Masih padam.\n\nPada Sen, 3 Mar 2025 pukul 10.00, PLN 123 menulis:\n> isi lama"
    assert strip_quoted_reply(text) == "Masih padam."
    assert strip_quoted_reply("> semua kutipan\n> saja") == "> semua kutipan\n> saja"
    forwarded = "Lihat di bawah\n\n---------- Forwarded message ---------\nFrom: x"
    assert strip_quoted_reply(forwarded) == "Lihat di bawah"


def test_gmail_quote_div_is_dropped_from_html_replies():
    html = '<div>Masih padam</div><div class="gmail_quote"><div>On Mon wrote:</div>lama</div>'
    assert html_to_text(html, drop_quotes=True) == "Masih padam"
    assert "lama" in html_to_text(html)


def test_language_guess_is_english_only_when_clear():
    assert guess_language("Dear PLN, the power has been out since this morning, please help")
    assert guess_language("Listrik padam sejak pagi, mohon dibantu") == ""


def test_envelope_check_and_key():
    raw = fixture("gmail_multipart_alternative.eml")
    assert looks_like_email(raw)
    assert (
        provider_id(raw) == "<CAJx8Fq3mL0vR9nYt2c5Kp1Wd7sE4hZbQ6uXoN2aG8fVjT1rM4w@mail.gmail.com>"
    )
    headerless = b"just some text\r\nwith lines\r\n"
    assert not looks_like_email(headerless)
    assert not looks_like_email(b'{"from": "a@example.com"}')
    assert looks_like_email(b"From budi@example.com Mon Mar  3 10:00:00 2025\n" + raw)
    no_id = b"From: a@example.com\r\nSubject: x\r\n\r\nbody"
    assert provider_id(no_id).startswith("sha256:")
    assert provider_id(no_id) == provider_id(no_id)


# --- Property-based: no input makes the parser raise --------------------------------------

_header_names = st.sampled_from(
    [
        "From",
        "To",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "Auto-Submitted",
        "Date",
        "Reply-To",
        "X-Auto-Response-Suppress",
    ]
)
_header_values = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "multipart/mixed; boundary=b",
            "multipart/report; report-type=delivery-status; boundary=b",
            "message/rfc822",
            "text/plain; charset=x-unknown",
            "text/html; charset=utf-16",
            "base64",
            "quoted-printable",
            "x-uuencode",
            "attachment; filename*=utf-8''%E2%9A%A0.jpg",
            "=?utf-8?b?!!!?=",
            "=?unknown?q?=ZZ?=",
            "<a@b> <c@d",
            "Mon, 99 Foo 2025 99:99:99 +9999",
        ]
    ),
)


@st.composite
def mime_like(draw) -> bytes:
    headers = draw(st.lists(st.tuples(_header_names, _header_values), max_size=8))
    body_parts = draw(
        st.lists(
            st.one_of(
                st.binary(max_size=200),
                st.sampled_from(
                    [
                        b"--b\r\nContent-Type: text/plain\r\n\r\nhalo\r\n",
                        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n",
                        b"--b\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <x@y>\r\n",
                        b"--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64"
                        b"\r\n\r\n/9j/4AAQ===\r\n",
                        b"--b--\r\n",
                        b"=E2=80=93=\r\n",
                        b"\xff\xfe\x00",
                    ]
                ),
            ),
            max_size=6,
        )
    )
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head.encode("utf-8", "surrogateescape") + b"\r\n" + b"".join(body_parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(st.binary(max_size=2000), mime_like()))
def test_parser_never_raises_on_any_input(raw):
    parsed = parse_email(raw, envelope_from=None)

    assert isinstance(parsed.subject, str)
    assert isinstance(parsed.new_text, str)
    assert all(isinstance(a.content, bytes) for a in parsed.attachments)
    provider_id(raw)
    looks_like_email(raw)
