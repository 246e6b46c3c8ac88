"""ETag and Cache-Control on every successful GET, with 304 for a matching If-None-Match.

The data never changes while the server runs, so a hash of the body is a strong validator.
"""

from __future__ import annotations

import hashlib

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

MAX_AGE = 3600


class ETagMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if request.method != "GET" or response.status_code != 200:
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        headers["ETag"] = etag
        headers.setdefault("Cache-Control", f"public, max-age={MAX_AGE}")
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers={k: v for k, v in headers.items() if k.lower() != "content-type"})
        return Response(body, status_code=200, headers=headers, media_type=response.media_type)
