"""E-mail: SMTP server and inbound-parse endpoint in, MIME parsing, threading, intake."""

from channels_intake import registry


def _process(row):  # imported late: the processor pulls in the domain models
    from channels_intake.email.processor import process_email

    return process_email(row)


registry.register("email", _process)
