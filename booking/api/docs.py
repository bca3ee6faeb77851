"""/api/docs/: human-readable API reference rendered on the server from the OpenAPI schema.

No JavaScript and no CDN: it works on a machine without internet access.
"""

from __future__ import annotations

import json
from functools import lru_cache

from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@lru_cache(maxsize=1)
def api_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _examples(content: dict | None) -> list[dict]:
    out = []
    for media_type, body in (content or {}).items():
        for name, example in (body.get("examples") or {}).items():
            value = example.get("value")
            text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
            out.append({"name": example.get("summary") or name, "media_type": media_type, "text": text})
    return out


def _schema_ref(content: dict | None) -> str:
    for body in (content or {}).values():
        schema = body.get("schema") or {}
        ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref", "")
        return ref.rsplit("/", 1)[-1]
    return ""


def docs_context(schema: dict) -> dict:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            responses = []
            for code, response in (op.get("responses") or {}).items():
                responses.append(
                    {
                        "code": code,
                        "description": response.get("description", ""),
                        "schema": _schema_ref(response.get("content")),
                        "examples": _examples(response.get("content")),
                    }
                )
            body = op.get("requestBody") or {}
            operations.append(
                {
                    "anchor": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "tag": (op.get("tags") or ["api"])[0],
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                            "type": (p.get("schema") or {}).get("type", ""),
                        }
                        for p in op.get("parameters") or []
                    ],
                    "request_schema": _schema_ref(body.get("content")),
                    "request_examples": _examples(body.get("content")),
                    "responses": responses,
                    "auth": bool(op.get("security", [{}]) and op.get("security") != [{}]),
                }
            )
    components = {
        name: json.dumps(component, indent=2, ensure_ascii=False)
        for name, component in sorted(schema.get("components", {}).get("schemas", {}).items())
    }
    return {"info": schema.get("info", {}), "operations": operations, "components": components}


def api_docs(request):
    return render(request, "booking/api_docs.html", docs_context(api_schema()))
