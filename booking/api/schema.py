"""OpenAPI post-processing: every operation documents the error answers it can give."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "reasons": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Why, when there are several.",
        },
    },
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": 'A message list per field (nested for nested objects), or {"detail": "..."}.',
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input: messages per field, or a detail saying why.",
    "401": "No valid token: send 'Authorization: Token <key>'.",
    "403": "Signed in but not allowed (e.g. a viewer trying to change something).",
    "404": "Not found, or belongs to another organisation.",
    "406": "The Accept header asks for something other than JSON.",
    "409": "Conflicts with the schedule or capacity, or a duplicate request still running; see Retry-After.",
    "413": "The body is larger than 1 MB.",
    "415": "The body is not JSON.",
    "422": "This Idempotency-Key was used with another request.",
    "429": "Too many requests; wait Retry-After seconds.",
}
RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}
}
IDEMPOTENCY_NOTE = (
    "\n\nSend an `Idempotency-Key` header (e.g. a UUID) to retry safely: the same key and body replay "
    "the first answer, the same key with another body is 422, and while the first request is still "
    "running the answer is 409."
)


EXAMPLES = {
    "400": {"orbit": {"altitude_km": ["No vehicle in the catalog reaches SSO 5000 km."]}},
    "401": {"detail": "The token is not valid or has been revoked."},
    "403": {"detail": "Only mission engineers and administrators may cancel a booking (not viewers)."},
    "404": {"detail": "No Booking matches the given query."},
    "406": {"detail": "Could not satisfy the request Accept header."},
    "409": {
        "detail": "payload 520 kg exceeds the 430 kg left to SSO 500 km on Kuaizhou-1A Y7",
        "reasons": ["payload 520 kg exceeds the 430 kg left to SSO 500 km on Kuaizhou-1A Y7"],
    },
    "413": {"detail": "The request body is larger than 1048576 bytes."},
    "415": {"detail": 'Unsupported media type "text/plain" in request.'},
    "422": {"detail": "This Idempotency-Key was already used with a different request."},
    "429": {"detail": "Request was throttled. Expected available in 12 seconds."},
}


def _content(media_type: str, schema: dict, example=None) -> dict:
    body: dict = {"schema": schema}
    if example is not None:
        body["examples"] = {"Error": {"value": example, "summary": "Error"}}
    return {media_type: body}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error_ref = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = op.setdefault("responses", {})
            media_types = {mt for r in responses.values() for mt in (r.get("content") or {})}
            calendar = "text/calendar" in media_types
            secured = op.get("security") not in (None, [], [{}])
            codes = ["400", "404", "406", "429"]
            if secured:
                codes += ["401", "403"]
            if method in {"post", "put", "patch"}:
                codes += ["413", "415"]
            if method in {"put", "patch"}:
                codes += ["409"]  # the row is being changed by someone else (Busy), or a state conflict
            if method == "post":
                codes += ["409", "422"]
                if secured and IDEMPOTENCY_NOTE not in op.get("description", ""):
                    op["description"] = op.get("description", "") + IDEMPOTENCY_NOTE
            for code in codes:
                if code in responses and responses[code].get("content"):
                    continue
                if calendar:
                    content = _content(
                        "text/calendar",
                        {"type": "string"},
                        EXAMPLES[code]["detail"] if code != "400" else "Bad request",
                    )
                elif code == "400":
                    content = _content("application/json", FIELD_ERRORS_SCHEMA, EXAMPLES[code])
                else:
                    content = _content("application/json", error_ref, EXAMPLES[code])
                response = {"description": responses.get(code, {}).get("description") or DESCRIPTIONS[code]}
                response["content"] = content
                if code in {"429", "409"}:
                    response["headers"] = RETRY_AFTER
                responses[code] = response
    return result
