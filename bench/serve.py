"""The atlas app as `atlas serve` runs it (uvicorn, or forked workers when ATLAS_WORKERS > 1), with a static
folder at /bench-static for same-server baselines."""

from __future__ import annotations

import argparse

from fastapi.staticfiles import StaticFiles

from api.app import create_app
from api.prefork import serve
from api.settings import ApiSettings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--static", required=True)
    args = parser.parse_args()
    app = create_app()
    app.mount("/bench-static", StaticFiles(directory=args.static))
    serve(app, "127.0.0.1", args.port, ApiSettings().workers)


if __name__ == "__main__":
    main()
