"""The atlas app under uvicorn with a static folder at /bench-static, for same-server baselines."""

from __future__ import annotations

import argparse

import uvicorn
from fastapi.staticfiles import StaticFiles

from api.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--static", required=True)
    args = parser.parse_args()
    app = create_app()
    app.mount("/bench-static", StaticFiles(directory=args.static))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
