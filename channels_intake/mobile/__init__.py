"""Customer app API (/api/v1/app/): registration with a one-time code, token login,
complaints with photos, "my complaints" with timelines, push tokens."""

from channels_intake import registry


def _process(row):  # imported late: the processor pulls in the domain models
    from channels_intake.mobile.processor import process_app

    return process_app(row)


registry.register("app", _process)
