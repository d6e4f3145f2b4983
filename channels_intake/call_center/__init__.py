"""Call center 123: the CTI screen-pop endpoint (/api/v1/cti/calls) and the caller lookup the
agent console uses (``selectors.customers_for_caller``)."""

from channels_intake import registry


def _process(row):
    from channels_intake.call_center.processor import process_call

    return process_call(row)


registry.register("call_center", _process)
