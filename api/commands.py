"""The CLI commands that need the web side: `atlas serve` and `atlas export map` (it inlines the npm Leaflet).

Registered through the ``atlas.commands`` entry-point group (pyproject), so ``atlas.cli`` offers them
without the core importing FastAPI or uvicorn.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from api.settings import ApiSettings, WebSettings
from atlas.render.export_text import LANGUAGES


def _serve(args: argparse.Namespace) -> int:
    """Loads (and if need be repairs) the atlas before serving, so a data problem is one line from the command
    line rather than a traceback from a worker; every worker serves that very load (api.prefork)."""
    from api.app import create_app
    from api.prefork import serve
    from atlas.data import load_atlas

    settings = ApiSettings()
    app = create_app(load_atlas())
    serve(app, args.host or settings.host, args.port or settings.port, args.workers or settings.workers)
    return 0


def _export_map(args: argparse.Namespace) -> int:
    from atlas.data import load_atlas
    from atlas.render.classify import ClassRequest
    from atlas.render.export_html import export_map_html

    breaks = tuple(float(b) for b in args.breaks.split(",")) if args.breaks else ()
    request = ClassRequest(args.method, args.classes, args.scheme, args.log, breaks)
    leaflet = WebSettings().web_packages_dir / "leaflet" / "dist"
    document = export_map_html(load_atlas(), args.indicator, args.level, args.year, request, leaflet, args.lang,
                               args.boundary_year, args.within)
    args.output.write_text(document, encoding="utf-8")
    print(f"wrote {args.output} ({len(document):,} bytes)")
    return 0


def register(sub: argparse._SubParsersAction, env: str) -> None:
    """Add `serve` and `export map` to the atlas command line; `env` lists the core's settings."""
    served = "\n".join(f"  ATLAS_{name.upper():20s} {f.description}"
                       for cls in (ApiSettings, WebSettings) for name, f in cls.model_fields.items())
    serve = sub.add_parser("serve", help="run the API and web atlas", epilog=f"settings:\n{env}\n{served}",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(run=_serve)
    export = sub.add_parser("export", help="standalone exports for reports")
    export_sub = export.add_subparsers(dest="export_command", required=True)
    export_map = export_sub.add_parser("map", help="a standalone HTML choropleth (folium) with legend and tooltips")
    export_map.add_argument("--indicator", required=True)
    export_map.add_argument("--level", required=True)
    export_map.add_argument("--year", type=int)
    export_map.add_argument("--method")
    export_map.add_argument("--classes", type=int)
    export_map.add_argument("--scheme")
    export_map.add_argument("--log", action="store_true")
    export_map.add_argument("--breaks", help="comma-separated upper class bounds")
    export_map.add_argument("--lang", choices=LANGUAGES, default="nl", help="language of legend and numbers")
    export_map.add_argument("--boundary-year", type=int, help="boundaries to draw on; default the data's own")
    export_map.add_argument("--within", help="only this area (a ROM such as BOM, province or COROP codes); default the country")
    export_map.add_argument("-o", "--output", type=Path, required=True)
    export_map.set_defaults(run=_export_map)
