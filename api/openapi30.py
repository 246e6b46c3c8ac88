"""The OGC part of the API definition as OpenAPI 3.0, for the `oas30` conformance class.

FastAPI writes OpenAPI 3.1 (JSON Schema 2020-12), which the OGC test suite and many GIS clients do not read.
The few 3.1 forms FastAPI and pydantic produce are rewritten to their 3.0 equivalents: a `null` alternative
becomes `nullable`, `const` a one-value `enum`, numeric `exclusiveMinimum`/`exclusiveMaximum` the boolean form,
schema `examples` a single `example`, `prefixItems` an `items` of the alternatives. Only the OGC paths are kept,
relative to the OGC landing page (the `servers` entry), as OGC clients expect `/collections` there.
"""

from __future__ import annotations

from typing import Any

OPENAPI_VERSION = "3.0.3"
NULL = {"type": "null"}


def _schema(node: Any) -> Any:
    """One JSON Schema 2020-12 node (and its children) in the OpenAPI 3.0 schema dialect."""
    if isinstance(node, list):
        return [_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {key: _schema(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        if key in out and NULL in out[key]:
            rest = [x for x in out.pop(key) if x != NULL]
            if len(rest) == 1 and "$ref" not in rest[0]:
                out.update(rest[0])
            elif len(rest) == 1:
                out["allOf"] = rest
            else:
                out[key] = rest
            out["nullable"] = True
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        out["nullable"] = out.get("nullable", False) or len(types) < len(out["type"])
        if len(types) == 1:
            out["type"] = types[0]
        else:
            out.pop("type")
            out["anyOf"] = [{"type": t} for t in types]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), int | float) and not isinstance(out.get(bound), bool):
            out[plain] = out[bound]
            out[bound] = True
    if isinstance(out.get("examples"), list):
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    if "prefixItems" in out:
        items = out.pop("prefixItems")
        out["items"] = {"anyOf": items} if items else {}
        out.setdefault("minItems", len(items))
        out.setdefault("maxItems", len(items))
    for dropped in ("$schema", "$id", "contentMediaType", "contentEncoding", "unevaluatedProperties"):
        out.pop(dropped, None)
    return out


def _parameters(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if "schema" in parameter:
            parameter["schema"] = _schema(parameter["schema"])


def _content(holder: dict) -> None:
    for media in holder.get("content", {}).values():
        if "schema" in media:
            media["schema"] = _schema(media["schema"])


def downgrade(document: dict, prefix: str, server_url: str, parameters: dict[str, dict] | None = None) -> dict:
    """The paths under `prefix` of a FastAPI OpenAPI 3.1 document, as OpenAPI 3.0 served from `server_url`.

    `parameters` overrides named query parameters' definitions (merged into the parameter, its `schema` into the
    schema): the forms a standard prescribes that FastAPI cannot write, and bounds that are runtime settings."""
    paths = {}
    for path, item in document.get("paths", {}).items():
        if not path.startswith(prefix):
            continue
        item = {method: dict(op) for method, op in item.items()}
        for operation in item.values():
            operation["parameters"] = [dict(p) for p in operation.get("parameters", [])]
            _parameters(operation)
            for parameter in operation["parameters"]:
                override = (parameters or {}).get(parameter["name"]) if parameter["in"] == "query" else None
                if override:
                    parameter.update({k: v for k, v in override.items() if k != "schema"})
                    parameter["schema"] = {**parameter.get("schema", {}), **override.get("schema", {})}
            operation["responses"] = {code: dict(r) for code, r in operation.get("responses", {}).items()}
            for response in operation["responses"].values():
                _content(response)
        paths[path[len(prefix):] or "/"] = item
    components = dict(document.get("components", {}))
    components["schemas"] = {name: _schema(s) for name, s in components.get("schemas", {}).items()}
    info = {k: v for k, v in document.get("info", {}).items() if k in ("title", "description", "version", "contact")}
    return {"openapi": OPENAPI_VERSION, "info": info, "servers": [{"url": server_url}], "paths": paths,
            "components": components}
