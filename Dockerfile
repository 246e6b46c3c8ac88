# Innovation Atlas NL. The install steps are those of `make setup` (npm ci for the web packages, pip with the
# lock file for the atlas), except that the atlas is installed as a wheel, not editable: the running image needs
# none of the sources. tests/test_container.py runs the RUN lines marked "install:" in a clean virtual environment.
FROM node:20-slim AS web
WORKDIR /app
COPY web/package.json web/package-lock.json web/.npmrc ./web/
# install: web
RUN npm ci --prefix web --no-audit --no-fund

FROM python:3.11-slim
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
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"
CMD ["atlas", "serve"]
