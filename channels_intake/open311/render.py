"""GeoReport v2 answers in XML (required by the spec) and JSON (its "Spark convention": the
same tree, the root element dropped when it is a list). Values: booleans as true/false, times
as W3C date-times with their offset, None as an empty element (XML) or null (JSON)."""

import json
from collections.abc import Mapping
from datetime import datetime
from xml.etree import ElementTree

from django.http import HttpResponse

XML = "xml"
JSON = "json"
FORMATS = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
# A list field's element name for each of its items.
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _append(parent: ElementTree.Element, name: str, value) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _append(element, ITEM_NAMES.get(name, "item"), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    """``value`` (a list of items or a mapping) under a ``root`` element."""
    element = ElementTree.Element(root)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, key, item)
    else:
        for item in value:
            _append(element, ITEM_NAMES.get(root, "item"), item)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, value, *, status: int = 200) -> HttpResponse:
    if fmt == XML:
        body = to_xml(root, value)
    else:
        body = json.dumps(_json_value(value), ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def error_response(fmt: str, status: int, description: str, code: int | None = None):
    """The spec's error answer: a list of {code, description}; XML when the format is not
    one we know (XML is the one every client must read)."""
    errors = [{"code": code or status, "description": description}]
    return respond(fmt if fmt in FORMATS else XML, "errors", errors, status=status)
