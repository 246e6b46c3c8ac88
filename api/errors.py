"""Every error is JSON naming the parameter and the valid choices; no input produces a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from atlas.errors import AtlasError, InvalidChoice, ResponseTooLarge

log = logging.getLogger("atlas.api")
NOT_FOUND_PARAMETERS = {"indicator", "code", "collection", "feature"}


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """RFC 7807 problem details, as the Dutch API design rules ask."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InvalidChoice)
    async def invalid_choice(request: Request, exc: InvalidChoice) -> JSONResponse:
        status = 404 if exc.parameter in NOT_FOUND_PARAMETERS else 400
        return problem(status, "Not found" if status == 404 else "Invalid parameter", str(exc),
                       parameter=exc.parameter, value=str(exc.value), valid=[str(c) for c in exc.choices])

    @app.exception_handler(ResponseTooLarge)
    async def too_large(request: Request, exc: ResponseTooLarge) -> JSONResponse:
        return problem(413, "Response too large", str(exc), size=exc.size, limit=exc.limit)

    @app.exception_handler(AtlasError)
    async def atlas_error(request: Request, exc: AtlasError) -> JSONResponse:
        return problem(400, "Bad request", str(exc))

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
