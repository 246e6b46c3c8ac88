# Innovation Atlas NL: the same install steps as `make setup`, on a slim Python base.
FROM python:3.11-slim
RUN useradd --create-home atlas
WORKDIR /app
COPY pyproject.toml README.md ./
COPY atlas ./atlas
COPY api ./api
COPY geodata ./geodata
RUN python -m pip install --no-cache-dir --upgrade pip && python -m pip install --no-cache-dir -e .
USER atlas
ENV ATLAS_DATA_DIR=/data ATLAS_CACHE_DIR=/home/atlas/cache ATLAS_HOST=0.0.0.0 ATLAS_PORT=8000
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health')"
CMD ["atlas", "serve"]
