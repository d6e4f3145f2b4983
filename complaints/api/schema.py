"""OpenAPI pieces shared by every API view: the one error body, and the error answers each
operation can give (added to every operation under /api/ by a postprocessing hook, so no view
can forget one and a client can rely on them)."""

from drf_spectacular.utils import OpenApiParameter

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'One shape for every error of the API: {"error": stable code, "detail": a sentence '
        'for a person, "fields": {field: [messages]} for invalid input}.'
    ),
    "properties": {
        "error": {"type": "string", "description": "not_found, conflict, invalid, throttled, …"},
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "retry_after": {"type": "integer", "description": "Seconds (429 only)."},
        "allowed_transitions": {
            "type": "array",
            "description": "An illegal workflow move (422 illegal_transition only): the moves "
            "the user may make from the case's status.",
            "items": {
                "type": "object",
                "properties": {
                    "target": {"type": "string"},
                    "label": {"type": "string"},
                    "required": {"type": "array", "items": {"type": "string"}},
                    "optional": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["target", "label", "required", "optional"],
            },
        },
    },
    "required": ["error", "detail"],
}
ERROR_DESCRIPTIONS = {
    "400": "Malformed request (unparseable body).",
    "401": "No or invalid credentials.",
    "403": "Authenticated, but the role may not do this.",
    "404": "Unknown, or outside the user's service units.",
    "409": "The case changed since the client read it (If-Match / version).",
    "413": "Body too large.",
    "415": "Unsupported content type.",
    "422": "Invalid input; `fields` names each field at fault (an illegal workflow move also "
    "lists `allowed_transitions`).",
    "429": "Too many requests; see Retry-After.",
}
READ_ERRORS = ("400", "401", "403", "404", "422", "429")
WRITE_ERRORS = (*READ_ERRORS, "409", "413", "415")
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})

# The write endpoints' optimistic lock, as HTTP has it: the ETag of the case they read.
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag of the case as read (e.g. "3"); 409 when it changed since.',
)


def path_id(name: str, description: str = "") -> OpenApiParameter:
    """A database id in a URL: a positive 64-bit integer."""
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
        OpenApiParameter.PATH,
        description=description,
    )


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the error component and answers everywhere."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = WRITE_ERRORS if method in WRITE_METHODS else READ_ERRORS
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
