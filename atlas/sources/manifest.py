"""The boundary manifest (geodata/boundaries.toml): which files exist, what they hold, how to verify them."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from atlas.errors import DataFolderError, DataValidationError
from atlas.settings import GEODATA_DIR

MANIFEST_PATH = GEODATA_DIR / "boundaries.toml"


@dataclass(frozen=True)
class BoundarySource:
    """One boundary file and how its columns map onto the atlas's normalised schema."""

    path: str
    role: str
    level: str
    year: int
    format: str
    code: str
    name: str
    bytes: int
    sha256: str
    upstream_url: str
    origin: str
    corop: str | None = None
    provincie: str | None = None
    province_name: str | None = None
    land_filter: dict[str, str] = field(default_factory=dict)

    def local_path(self, data_dir: Path) -> Path:
        return data_dir / self.path


def load_manifest(path: Path = MANIFEST_PATH) -> list[BoundarySource]:
    """Read the manifest, expanding the short upstream prefixes into full pinned URLs."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    prefixes = {k: v for k, v in raw["defaults"].items() if v.startswith("http")}
    sources = []
    for entry in raw["source"]:
        upstream = entry.get("upstream", "")
        prefix, _, rest = upstream.partition(":")
        url = f"{prefixes[prefix]}/{rest}" if upstream and prefix in prefixes else upstream
        sources.append(
            BoundarySource(
                path=entry["path"], role=entry["role"], level=entry["level"], year=int(entry["year"]),
                format=entry["format"], code=entry["code"], name=entry["name"], bytes=int(entry["bytes"]),
                sha256=entry["sha256"], upstream_url=url,
                origin=entry.get("origin", raw["defaults"]["origin_pdok"]),
                corop=entry.get("corop"), provincie=entry.get("provincie"),
                province_name=entry.get("province_name"), land_filter=entry.get("land_filter", {}),
            )
        )
    return sources


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_data_folder(data_dir: Path, sources: list[BoundarySource], indicator_files: list[str]) -> None:
    """Fail once, naming every missing or altered file, so a user fixes the folder in one go.

    Boundary files must match the manifest's size and sha256: a truncated download or a silently
    replaced file would otherwise give wrong regions without any error.
    """
    if not data_dir.is_dir():
        raise DataFolderError(
            f"data folder {data_dir} does not exist. Put the shared data there, set ATLAS_DATA_DIR to "
            "where it is, or run `atlas data download` to fetch the boundaries from the public upstream."
        )
    missing = [s.path for s in sources if not s.local_path(data_dir).is_file()]
    missing += [f"indicators/{name}" for name in indicator_files if not (data_dir / "indicators" / name).is_file()]
    if missing:
        raise DataFolderError(
            f"data folder {data_dir} is incomplete; missing {len(missing)} file(s): {', '.join(missing)}. "
            "Set ATLAS_DATA_DIR to a complete copy, or run `atlas data download` for the boundary files."
        )
    changed = []
    for source in sources:
        path = source.local_path(data_dir)
        size = path.stat().st_size
        if size != source.bytes:
            changed.append(f"{source.path}: {size} bytes, the manifest expects {source.bytes} (truncated or replaced?)")
        elif sha256_of(path) != source.sha256:
            changed.append(f"{source.path}: sha256 differs from the manifest (the file was changed)")
    if changed:
        raise DataValidationError(changed)
