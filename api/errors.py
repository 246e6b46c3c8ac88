"""Every error is JSON naming the parameter and the valid choices; no input produces a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from atlas.errors import AtlasError, ImportRejected, InvalidChoice, ResponseTooLarge

log = logging.getLogger("atlas.api")


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """RFC 7807 problem details, as the Dutch API design rules ask."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install_error_handlers(app: FastAPI) -> None:
    """One table: each atlas exception type carries its status (``AtlasError.status``); framework errors
    keep theirs; anything else is a logged 500 with no detail."""

    @app.exception_handler(AtlasError)
    async def atlas_error(request: Request, exc: AtlasError) -> JSONResponse:
        if exc.server_side:
            log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
            return problem(exc.status, exc.title, "the atlas cannot answer this until its operator fixes the "
                           "installation or the data; the problem has been logged")
        extra: dict[str, object] = {}
        if isinstance(exc, InvalidChoice):
            extra = {"parameter": exc.parameter, "value": str(exc.value), "valid": [str(c) for c in exc.choices]}
        elif isinstance(exc, ResponseTooLarge):
            extra = {"size": exc.size, "limit": exc.limit}
        elif isinstance(exc, ImportRejected):
            extra = {"problems": exc.problems}
        return problem(exc.status, exc.title, str(exc), **extra)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"parameter": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "problem": e["msg"],
             **({"valid": [str(v) for v in e["ctx"]["expected"].replace("'", "").split(" or ")]}
                if "expected" in e.get("ctx", {}) else {})}
            for e in exc.errors()
        ]
        names = ", ".join(e["parameter"] for e in errors)
        return problem(400, "Invalid parameter", f"invalid {names}", errors=errors,
                       parameter=errors[0]["parameter"] if errors else None)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        response = problem(exc.status_code, "Not found" if exc.status_code == 404 else "Error", str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. Allow on 405, as RFC 9110 requires
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "the atlas could not answer this request; it has been logged")
