"""`atlas networks import`: add a link file or a participation file to the atlas's imported networks.

The file's header decides its format: a participation table (the CORDIS format of atlas.sources.participations)
becomes a measured dataset under `<cache>/networks/participations/`, a link file (topsector, source, target,
weight, year, source_description) a network under `<cache>/networks/`. Either is validated in full first
(every problem with its line) and nothing is written when it has any. A dataset is named by its file name:
importing it again replaces it, and so does importing the same content under another name, so weights are
never counted twice.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from atlas.data import AtlasData
from atlas.networks.links import network_summary, read_network
from atlas.networks.measured import coverage, imported_dir, placement
from atlas.sources.participations import REQUIRED, read_participations


def _is_participation_table(path: Path) -> bool:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    return set(REQUIRED) <= set(header)


def _store(content: bytes, name: str, folder: Path) -> list[str]:
    """Write atomically as `<name>.csv`, removing any other file there with the same content."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(content).hexdigest()
    notes = []
    for other in sorted(folder.glob("*.csv")):
        if other.name != f"{name}.csv" and hashlib.sha256(other.read_bytes()).hexdigest() == digest:
            other.unlink()
            notes.append(f"removed {other.name}: the same data, now imported as {name}.csv")
    target = folder / f"{name}.csv"
    if target.exists():
        notes.append(f"replaced the earlier {target.name}")
    staging = folder / f".{name}.csv.tmp"
    staging.write_bytes(content)
    staging.replace(target)
    return notes


def import_network_file(data: AtlasData, path: Path, networks_dir: Path) -> list[str]:
    """Validate and store one file; returns the lines to print. Raises DataValidationError listing every problem."""
    content = path.read_bytes()  # an unreadable file fails here, before anything is validated
    if _is_participation_table(path):
        table = read_participations(path)
        placed = placement(data, table, data.boundaries.years("gemeente")[-1])
        cov = coverage(table, placed)
        lines = [f"participations: {len(table.frame)} rows, {table.frame['rcn'].nunique()} projects, "
                 f"{cov['organisations_total']} organisations; placed on the gemeenten of {placed.boundary_year}: "
                 f"{cov['organisations']} organisations, {cov['participations']} participations"]
        folder = imported_dir(networks_dir)
        lines += _store(content, path.stem, folder)
        return [*lines, f"imported dataset {path.stem!r} into {folder}; the server loads it at its next start"]
    network = read_network(data, path)
    lines = [f"{t['id']:10s} {t['links']} links, {t['places']} places, {t['measured_links']} measured"
             for t in network_summary([network])]
    lines += _store(content, network.name, networks_dir)
    return [*lines, f"imported {len(network.links)} rows into {networks_dir}; the server loads it at its next start"]
