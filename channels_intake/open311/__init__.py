"""Open311 GeoReport v2 (/open311/v2/): discovery, services from the complaint categories,
service requests as cases (service_request_id = ticket number), XML and JSON, api_key for
POST. Requests are stored in the raw inbox first and processed through the one intake call."""

from channels_intake import registry


def _process(row):  # imported late: the processor pulls in the domain models
    from channels_intake.open311.processor import process_open311

    return process_open311(row)


registry.register("open311", _process)
