"""The atlas app as `atlas serve` runs it (uvicorn, or forked workers when ATLAS_WORKERS > 1), with a static
folder at /bench-static for same-server baselines."""

from __future__ import annotations

import argparse

import uvicorn
from fastapi.staticfiles import StaticFiles

from api.app import create_app
from api.prefork import PreforkServer
from api.settings import ApiSettings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--static", required=True)
    args = parser.parse_args()
    app = create_app()
    app.mount("/bench-static", StaticFiles(directory=args.static))
    workers = ApiSettings().workers
    if workers > 1:
        PreforkServer(app, "127.0.0.1", args.port, workers).run()
    else:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
