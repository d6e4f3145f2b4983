"""Web: the public complaint form (/lapor/) and the ticket status page (/status/)."""

from channels_intake import registry


def _process(row):  # imported late: the processor pulls in the domain models
    from channels_intake.web.processor import process_web

    return process_web(row)


registry.register("web", _process)
