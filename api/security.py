"""Security headers: every response says `nosniff` and a referrer policy; every HTML page gets a
Content-Security-Policy that allows no inline script and no framing by other sites.

Data text is escaped where it is written (the page's `esc`, the export's html.escape); the policy is the
second line of defence should an escape ever be missed: an injected `<img onerror=...>` cannot run.
A page that sets its own policy (the API documentation, the export with its script hashes) keeps it, and
gets `frame-ancestors` added when it lacks one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAME_ANCESTORS = "frame-ancestors 'self'"
ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"}


def page_policy(*base_map_urls: str, pyramid_origins: str = "") -> str:
    """The atlas page: its own scripts only; styles inline too (Leaflet and the legend colour swatches);
    images also from the background maps' servers (Web Mercator and RD New), where configured; requests also to the
    hosts of tile pyramids (ATLAS_PYRAMID_ORIGINS, checked to be bare origins)."""
    hosts = {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, base_map_urls) if p.scheme and p.netloc}
    base_map = "".join(f" {host}" for host in sorted(hosts))
    connect = " ".join(["'self'", *pyramid_origins.split()])
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{base_map}; connect-src {connect}; object-src 'none'; base-uri 'none'; "
            f"form-action 'self'; {FRAME_ANCESTORS}")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, html_policy: str):
        self.app = app
        self.html_policy = html_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    policy = headers.get("content-security-policy")
                    if policy is None:
                        headers["Content-Security-Policy"] = self.html_policy
                    elif "frame-ancestors" not in policy:
                        headers["Content-Security-Policy"] = f"{policy}; {FRAME_ANCESTORS}"
            await send(message)

        await self.app(scope, receive, secured)
