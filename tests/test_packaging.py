"""What a wheel carries, checked against the tree: pyproject.toml lists packages by hand (geodata/ and web/ are
mapped into them), so a new subpackage or data file left out would only show up as a broken installed atlas."""

from __future__ import annotations

import tomllib
from pathlib import Path

from atlas.settings import REPO_ROOT

SETUPTOOLS = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _folder(package: str) -> Path:
    """Where setuptools takes a package from: the longest mapped prefix in package-dir, else the dotted path."""
    mapped = [p for p in SETUPTOOLS.get("package-dir", {}) if package == p or package.startswith(p + ".")]
    if not mapped:
        return REPO_ROOT / package.replace(".", "/")
    prefix = max(mapped, key=len)
    return REPO_ROOT / SETUPTOOLS["package-dir"][prefix] / package[len(prefix) + 1:].replace(".", "/")


def _shipped() -> set[Path]:
    return {path for package, patterns in SETUPTOOLS["package-data"].items() for pattern in patterns
            for path in _folder(package).glob(pattern) if path.is_file()}


def test_every_code_package_is_listed():
    on_disk = {".".join(init.parent.relative_to(REPO_ROOT).parts) for top in ("atlas", "api")
               for init in (REPO_ROOT / top).rglob("__init__.py")}
    listed = {p for p in SETUPTOOLS["packages"] if (_folder(p) / "__init__.py").is_file()}
    assert listed == on_disk


def test_every_geodata_file_and_the_page_are_shipped():
    wanted = {p for p in (REPO_ROOT / "geodata").rglob("*") if p.is_file()}
    wanted |= {REPO_ROOT / "web" / "index.html", *(p for p in (REPO_ROOT / "web" / "static").iterdir() if p.is_file())}
    assert wanted <= _shipped()
    assert all(_folder(p).is_dir() for p in SETUPTOOLS["packages"])
