"""Command line: `atlas info | values | changes | build | data download | networks import | tiles export`, plus the commands
other packages register under the entry-point group ``atlas.commands`` (the API adds `serve` and
`export map`), so the core never imports the web framework.

Exit codes: 0 done; 1 some boundary files could not be downloaded; 2 a problem with what was asked (an unknown
choice, a missing or unreadable file or folder), printed as one line; 3 the source data failed validation (every
problem listed); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.errors import AtlasError, DataValidationError
from atlas.settings import AtlasSettings, get_settings

if TYPE_CHECKING:
    from atlas.data import AtlasData
    from atlas.imports.store import Dataset

COMMAND_GROUP = "atlas.commands"
VALUE_FIELDS = ["code", "name", "value", "text", "unit", "missing_reason", "aggregated", "rank", "period", "harmonised",
                "source_vintage"]


def _info(args: argparse.Namespace) -> int:
    from atlas.data import load_atlas
    from atlas.info import atlas_summary, format_summary

    summary = atlas_summary(load_atlas())
    print(json.dumps(summary, indent=1, default=str) if args.json else format_summary(summary))
    return 0


def _values(args: argparse.Namespace) -> int:
    from atlas.data import load_atlas
    from atlas.figures.values import indicator_values
    from atlas.render.csvtext import spreadsheet_csv

    result = indicator_values(load_atlas(), args.indicator, args.level, args.year, args.boundary_year)
    frame = result.frame[VALUE_FIELDS]
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records"))
        print(json.dumps({"meta": result.meta(), "values": records}, indent=1, ensure_ascii=False))
    else:
        meta = result.meta()
        print(f"# {meta['title']['en']} ({meta['unit']}); {meta['level']} {meta['year']}; source: {meta['source']}")
        print(f"# {meta['territory']}")
        sys.stdout.write(spreadsheet_csv(frame))
    return 0


def _changes(args: argparse.Namespace) -> int:
    from atlas.data import load_atlas
    from atlas.geography.crosswalk import CHANGE_KINDS, REORGANISATIONS

    crosswalks = load_atlas().crosswalks
    kinds = CHANGE_KINDS if args.all else REORGANISATIONS
    changes = crosswalks.changes_between(args.from_year, args.to_year, kinds)
    for change in changes:
        print(change.sentence())
    counts = {k: sum(c.kind == k for c in changes) for k in kinds}
    print(f"# {len(changes)} changes between the gemeente boundaries of 1 January {args.from_year} and "
          f"{args.to_year}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def _build(args: argparse.Namespace) -> int:
    from atlas.data import BUILD_DIR_NAME, build_atlas, load_atlas, write_cache

    settings = get_settings()
    started = time.perf_counter()
    if args.if_changed:  # a current cache is read, not rebuilt; a stale or damaged one is rebuilt and written
        data = load_atlas(settings)
        folder = settings.cache_dir / BUILD_DIR_NAME
    else:
        data = build_atlas(settings)
        folder = write_cache(data, settings.cache_dir)
    for (level, year), layer in sorted(data.boundaries.layers.items()):
        print(f"  {level:10s} {year}  {len(layer):5d} regions  {folder / f'{level}_{year}.parquet'}")
    print(f"  observations {len(data.observations)} rows  {folder / 'observations.parquet'}")
    print(f"{'current' if args.if_changed else 'built'} {data.version} in {time.perf_counter() - started:.1f} s")
    return 0


def _download(args: argparse.Namespace) -> int:
    from atlas.sources.catalogue import load_catalogue
    from atlas.sources.download import add_indicator_files, download_sources
    from atlas.sources.manifest import load_manifest

    settings = get_settings()
    target = args.to or settings.cache_dir / "upstream"
    results = download_sources(load_manifest(), target, args.base_url or settings.upstream_url, progress=not args.quiet)
    for r in results:
        print(f"  {r.status:12s} {r.path}  {r.detail}")
    failed = [r for r in results if r.status == "unavailable"]
    missing = add_indicator_files(target, load_catalogue().csv_files(), settings.data_dir)
    if failed:
        print(f"{target} is not usable yet: {len(failed)} boundary file(s) unavailable (listed above)")
    elif missing:
        print(f"boundary files in {target}; the indicator CSVs have no public upstream and {settings.data_dir} lacks "
              f"{len(missing)} of them: put {', '.join(missing)} in {target / 'indicators'}, then use "
              f"ATLAS_DATA_DIR={target}")
    else:
        print(f"complete data folder in {target} (indicator CSVs from {settings.data_dir}); use it with "
              f"ATLAS_DATA_DIR={target}")
    return 1 if failed else 0


def _networks_import(args: argparse.Namespace) -> int:
    from atlas.data import load_atlas
    from atlas.networks.imports import import_network_file

    args.file.open("rb").close()  # an unreadable file fails here, before the atlas is loaded
    for line in import_network_file(load_atlas(), args.file, get_settings().cache_dir / "networks"):
        print(line)
    return 0


def _analyse(args: argparse.Namespace) -> int:
    """One analysis as JSON, or its headline numbers as text."""
    from atlas.analysis.report import headline, run_analysis
    from atlas.data import load_atlas

    result = run_analysis(load_atlas(), args)
    print(json.dumps(result, indent=1, ensure_ascii=False, default=str) if args.format == "json" else headline(args.analysis, result))
    return 0


def _store_import(dataset_of: Callable[[AtlasData], Dataset]) -> int:
    from atlas.data import load_atlas
    from atlas.imports.store import ImportStore

    data = load_atlas()
    dataset = dataset_of(data)
    store = ImportStore(get_settings().cache_dir)
    folder = store.save(dataset, data.catalogue)
    record = next(r for r in store.records() if r["id"] == dataset.id)
    for key in ("placed_by", "withheld_cells", "boundary_year", "level", "rows"):
        if key in record:
            print(f"  {key}: {record[key]}")
    for line in record.get("unplaced", [])[:20]:
        print(f"  not placed: {line}")
    print(f"imported {dataset.id} ({', '.join(i.id for i in dataset.indicators)}), version {record['version']}, "
          f"into {folder}; a running server picks it up at its next request")
    return 0


def _indicators_import(args: argparse.Namespace) -> int:
    from atlas.imports.metadata import default_meta_path, parse_meta
    from atlas.imports.tables import import_table

    meta_path = args.meta or default_meta_path(args.file)
    meta = parse_meta(meta_path.read_text(encoding="utf-8"), meta_path.name)
    content = args.file.read_bytes()
    return _store_import(lambda data: import_table(data, args.file.name, content, meta))


def _points_import(args: argparse.Namespace) -> int:
    from atlas.imports.metadata import default_meta_path, parse_points_meta
    from atlas.imports.points import import_points

    meta_path = args.meta or default_meta_path(args.file)
    meta = parse_points_meta(meta_path.read_text(encoding="utf-8"), meta_path.name)
    content = args.file.read_bytes()
    postcodes = (args.postcodes.name, args.postcodes.read_bytes()) if args.postcodes else None
    return _store_import(lambda data: import_points(data, args.file.name, content, meta, postcodes))


def _indicators_remove(args: argparse.Namespace) -> int:
    from atlas.imports.store import ImportStore

    ImportStore(get_settings().cache_dir).remove(args.id)
    print(f"removed {args.id}")
    return 0


def _tiles_export(args: argparse.Namespace) -> int:
    """One PMTiles archive per indicator, level and format, named so that they can share one folder."""
    from atlas.data import load_atlas
    from atlas.render.classify import ClassRequest
    from atlas.render.pmtiles_archive import PyramidRequest, check_request, write_pyramid

    classes = ClassRequest(args.method, args.classes, args.scheme, args.log, args.breaks)
    requests = [PyramidRequest(indicator, level, tile_format, args.min_zoom, args.max_zoom, args.year,
                               args.boundary_year, classes, args.scale)
                for indicator in args.indicator for level in args.level for tile_format in args.format or ["mvt", "png"]]
    for request in requests:
        check_request(request)  # a bad zoom or format is said before the atlas is loaded
    data = load_atlas()
    args.out.mkdir(parents=True, exist_ok=True)
    for request in requests:
        done = write_pyramid(data, request, args.out / request.file_name())
        print(f"  {done.path}  z{request.min_zoom}-{request.max_zoom}  {done.addressed} tiles ({done.contents} distinct, "
              f"{done.skipped} empty left out)  {done.size / 1e6:.1f} MB  {done.seconds:.1f} s")
    return 0


def _breaks(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(b) for b in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None


def _tiles_parser(sub: argparse._SubParsersAction) -> None:
    tiles = sub.add_parser("tiles", help="choropleth tile pyramids for static hosting")
    tiles_sub = tiles.add_subparsers(dest="tiles_command", required=True)
    export = tiles_sub.add_parser(
        "export", help="write PMTiles archives of the choropleth tiles the server renders, legend in the metadata",
        description="One archive per indicator, level and format, named INDICATOR_LEVEL[@2x].FORMAT.pmtiles in --out.")
    export.add_argument("--indicator", action="append", required=True, help="repeat for several")
    export.add_argument("--level", action="append", required=True, help="repeat for several")
    export.add_argument("--format", action="append", choices=["mvt", "png"], help="repeat for both (the default)")
    export.add_argument("--min-zoom", type=int, default=5)
    export.add_argument("--max-zoom", type=int, default=12)
    export.add_argument("--year", type=int)
    export.add_argument("--boundary-year", type=int, help="boundaries to show the values on; default their own")
    export.add_argument("--method", help="classification method; default the indicator's")
    export.add_argument("--classes", type=int)
    export.add_argument("--scheme", help="ColorBrewer scheme")
    export.add_argument("--log", action="store_true", help="classify log(1 + value)")
    export.add_argument("--breaks", type=_breaks, default=(), help="comma-separated upper class bounds")
    export.add_argument("--scale", type=int, choices=[1, 2], default=1, help="2 for 512 px PNG tiles")
    export.add_argument("-o", "--out", type=Path, required=True, help="folder for the archives")
    export.set_defaults(run=_tiles_export)


def _parser() -> argparse.ArgumentParser:
    env = "\n".join(f"  ATLAS_{name.upper():16s} {f.description}" for name, f in AtlasSettings.model_fields.items())
    parser = argparse.ArgumentParser(prog="atlas", description="Innovation Atlas NL", epilog=f"settings:\n{env}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="data folder, boundaries, indicators and coverage gaps")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=_info)
    values = sub.add_parser("values", help="values of one indicator for every region of a level")
    values.add_argument("indicator")
    values.add_argument("--level", required=True)
    values.add_argument("--year", type=int)
    values.add_argument("--boundary-year", type=int, help="boundaries to show the values on; default their own")
    values.add_argument("--format", choices=["csv", "json"], default="csv")
    values.set_defaults(run=_values)
    changes = sub.add_parser("changes", help="municipal reorganisations between two boundary years")
    changes.add_argument("--from", dest="from_year", type=int, required=True)
    changes.add_argument("--to", dest="to_year", type=int, required=True)
    changes.add_argument("--all", action="store_true", help="also renamings and possible boundary corrections")
    changes.set_defaults(run=_changes)
    build = sub.add_parser("build", help="validate the data and write the GeoParquet cache")
    build.add_argument("--if-changed", action="store_true",
                       help="keep the cache when it is current for this data and code (its fingerprint matches)")
    build.set_defaults(run=_build)
    _analyse_parser(sub)
    _tiles_parser(sub)
    data = sub.add_parser("data", help="data folder tools")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    download = data_sub.add_parser("download", help="fetch boundary files from the public upstream and verify them")
    download.add_argument("--to", type=Path)
    download.add_argument("--base-url", default="")
    download.add_argument("--quiet", action="store_true")
    download.set_defaults(run=_download)
    networks = sub.add_parser("networks", help="topsector collaboration networks")
    networks_sub = networks.add_subparsers(dest="networks_command", required=True)
    network_import = networks_sub.add_parser(
        "import", help="validate a link or participation CSV and add it to the atlas",
        description="Links: topsector,source,target,weight,year,source_description. Participations (CORDIS format): "
                    "rcn,pic,type,start_year,programme_parts[,role,contribution,end_year,org_name,org_city,postcode_fp7]."
                    " Importing a file of the same name (or the same content) again replaces it.")
    network_import.add_argument("file", type=Path)
    network_import.set_defaults(run=_networks_import)
    indicators = sub.add_parser("indicators", help="indicator tables brought by the user")
    indicators_sub = indicators.add_subparsers(dest="indicators_command", required=True)
    table_import = indicators_sub.add_parser(
        "import", help="check a CSV or XLSX table and add it to the atlas (all or nothing)",
        description="Long: region_code|region_name,year,value; wide: region_code|region_name and a column per year.")
    table_import.add_argument("file", type=Path)
    table_import.add_argument("--meta", type=Path, help="META.toml; default FILE.META.toml or META.toml beside FILE")
    table_import.set_defaults(run=_indicators_import)
    remove = indicators_sub.add_parser("remove", help="remove an imported table or point list")
    remove.add_argument("id")
    remove.set_defaults(run=_indicators_remove)
    points = sub.add_parser("points", help="point lists brought by the user, counted per region")
    points_sub = points.add_subparsers(dest="points_command", required=True)
    point_import = points_sub.add_parser(
        "import", help="place points, count them per region and category, withhold small counts",
        description="Columns: lon,lat (WGS84) or x,y (RD New), or postcode, or city; optional category, year.")
    point_import.add_argument("file", type=Path)
    point_import.add_argument("--meta", type=Path, help="META.toml; default FILE.META.toml or META.toml beside FILE")
    point_import.add_argument("--postcodes", type=Path, help="postcode,gemeente_code CSV for placing by postcode")
    point_import.set_defaults(run=_points_import)
    for command in entry_points(group=COMMAND_GROUP):  # `serve` and `export map` come from the api package
        command.load()(sub, env)
    return parser


def _analyse_parser(sub: argparse._SubParsersAction) -> None:
    analyse = sub.add_parser("analyse", help="regional analysis: concentration, clusters, correlation")
    kinds = analyse.add_subparsers(dest="analysis", required=True)
    for name, text in (("concentration", "top-N share, regions holding half, Gini, Theil"),
                       ("clusters", "Moran's I and local Moran (LISA) with permutations"),
                       ("correlate", "Pearson and Spearman between two indicators, with the fitted line")):
        command = kinds.add_parser(name, help=text)
        command.add_argument("indicator")
        if name == "correlate":
            command.add_argument("other", help="the second indicator (y)")
            command.add_argument("--other-year", type=int)
            command.add_argument("--other-per", choices=["none", "inhabitant"], default="none")
        command.add_argument("--level", required=True)
        command.add_argument("--year", type=int)
        command.add_argument("--boundary-year", type=int)
        command.add_argument("--per", choices=["none", "inhabitant"], default="none", help="a count per 100,000 inhabitants")
        command.add_argument("--top", type=int, default=10, help="N of the top-N share (concentration)")
        command.add_argument("--weights", choices=["queen", "knn"], default="queen")
        command.add_argument("--k", type=int, default=6, help="neighbours for knn weights")
        command.add_argument("--permutations", type=int, default=999)
        command.add_argument("--alpha", type=float, default=0.05)
        command.add_argument("--format", choices=["text", "json"], default="text")
        command.set_defaults(run=_analyse)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(format="atlas: %(message)s", level=logging.WARNING)  # e.g. a damaged cache being rebuilt
    try:
        return args.run(args)
    except DataValidationError as exc:
        print(f"atlas: {exc}", file=sys.stderr)
        return 3
    except AtlasError as exc:
        print(f"atlas: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        print(f"atlas: {exc.filename}: {exc.strerror}" if exc.filename else f"atlas: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
