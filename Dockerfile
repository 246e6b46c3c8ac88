# Innovation Atlas NL. The install steps are those of `make setup` (npm ci for the web packages, pip with the
# lock file for the atlas), except that the atlas is installed as a wheel, not editable: the running image needs
# none of the sources. tests/test_container.py runs the RUN lines marked "install:" in a clean virtual environment.
#
# Base images are on supported lines: Node 24 (LTS until April 2028) and Python 3.11 (until October 2027).
# Pin them by digest for a reproducible image. The digests are not written here because this project's machines
# cannot reach the container registry to look them up (a digest copied from elsewhere could not be checked);
# a release build passes them, from `docker buildx imagetools inspect node:24-slim` and `... python:3.11-slim`:
#   docker build --build-arg NODE_IMAGE=node:24-slim@sha256:<digest> \
#                --build-arg PYTHON_IMAGE=python:3.11-slim@sha256:<digest> -t innovation-atlas-nl .
# Run with the data folder mounted read-only (the atlas writes only its cache, in the atlas user's home):
#   docker run -v /path/to/shared:/data:ro -p 8000:8000 innovation-atlas-nl
ARG NODE_IMAGE=node:24-slim
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${NODE_IMAGE} AS web
WORKDIR /app
COPY web/package.json web/package-lock.json web/.npmrc ./web/
# install: web
RUN npm ci --prefix web --no-audit --no-fund

FROM ${PYTHON_IMAGE}
RUN useradd --create-home atlas
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY atlas ./atlas
COPY api ./api
COPY geodata ./geodata
COPY web/index.html ./web/
COPY web/static ./web/static
COPY --from=web /app/web/node_modules ./web/node_modules
ENV PIP_NO_CACHE_DIR=1
# install: python
RUN python -m pip install -c requirements.lock .
USER atlas
WORKDIR /home/atlas
ENV ATLAS_DATA_DIR=/data ATLAS_HOST=0.0.0.0 ATLAS_PORT=8000 ATLAS_WORKERS=2 \
    ATLAS_WEB_PACKAGES_DIR=/app/web/node_modules
# The data folder is only read: mount it with :ro
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"
CMD ["atlas", "serve"]
