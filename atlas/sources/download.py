"""Fetch the boundary files from their public upstream into the cache, for users without ../shared.

Each file is streamed to a temporary name, checked against the manifest's size and sha256, and only then
renamed into place: an interrupted or tampered download never looks like good data. The indicator CSVs have no
public upstream; they are copied in from the configured data folder when it has them, so the download folder is
a complete data folder whenever that is possible.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from atlas.errors import AtlasError
from atlas.sources.manifest import BoundarySource, sha256_of


@dataclass
class DownloadResult:
    path: str
    status: str  # "downloaded", "present", "unavailable"
    detail: str = ""


def source_url(source: BoundarySource, base_url: str) -> str:
    """A mirror laid out like the data folder wins; otherwise the file's own pinned public copy."""
    if base_url:
        return f"{base_url.rstrip('/')}/{source.path}"
    return source.upstream_url


def _fetch(url: str, target: Path, expected_bytes: int, progress: bool) -> str:
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    size = 0
    with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:  # noqa: S310 - URL from manifest/settings
        with tqdm(total=expected_bytes, unit="B", unit_scale=True, desc=target.name, disable=not progress) as bar:
            for block in iter(lambda: response.read(1 << 16), b""):
                out.write(block)
                digest.update(block)
                size += len(block)
                bar.update(len(block))
    if size != expected_bytes:
        partial.unlink()
        raise AtlasError(f"{url}: got {size} bytes, expected {expected_bytes}")
    return digest.hexdigest()


def download_sources(
    sources: list[BoundarySource], data_dir: Path, base_url: str = "", progress: bool = True
) -> list[DownloadResult]:
    """Download every source missing or wrong in data_dir; never overwrites a verified file."""
    results = []
    for source in sources:
        target = source.local_path(data_dir)
        if target.is_file() and target.stat().st_size == source.bytes and sha256_of(target) == source.sha256:
            results.append(DownloadResult(source.path, "present"))
            continue
        url = source_url(source, base_url)
        if not url:
            results.append(DownloadResult(source.path, "unavailable", f"no byte-identical public copy ({source.origin}); set ATLAS_UPSTREAM_URL to a mirror"))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            digest = _fetch(url, target, source.bytes, progress)
        except (OSError, AtlasError) as exc:
            results.append(DownloadResult(source.path, "unavailable", f"{url}: {exc}"))
            continue
        partial = target.with_name(target.name + ".part")
        if digest != source.sha256:
            partial.unlink()
            results.append(DownloadResult(source.path, "unavailable", f"{url}: sha256 {digest} does not match the manifest"))
            continue
        os.replace(partial, target)
        results.append(DownloadResult(source.path, "downloaded", url))
    return results


def add_indicator_files(data_dir: Path, names: list[str], source_dir: Path) -> list[str]:
    """Copy the named indicator CSVs that ``data_dir`` lacks from ``source_dir``; returns those found in neither,
    so a caller can say what is still missing instead of calling the folder usable."""
    missing = []
    for name in names:
        target = data_dir / "indicators" / name
        if target.is_file():
            continue
        source = source_dir / "indicators" / name
        if not source.is_file():
            missing.append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return missing
