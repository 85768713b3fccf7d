# PhotoShare deployment image: a wheel built in one stage, a slim non-root runtime in the other.
#
#   docker build -t photoshare .
#   docker run -p 8000:8000 -v photoshare-data:/data photoshare
#
# With no PHOTOSHARE_DATABASE_URL the service runs its embedded PostgreSQL under /data,
# so keep /data on a volume. Every setting is a PHOTOSHARE_* environment variable.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
WORKDIR /src

# Dependencies first, exactly as uv.lock pins them (with their hashes), so code changes
# reuse this layer and the image runs the versions the tests passed with.
ARG UV_VERSION=0.13.9
COPY pyproject.toml uv.lock README.md ./
RUN pip install "uv==${UV_VERSION}" \
    && uv export --locked --no-dev --no-emit-project --format requirements-txt -o /tmp/requirements.txt \
    && /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.txt

# The wheel carries the package data (API-docs assets) and migrations/ as photoshare/migrations.
COPY src ./src
COPY migrations ./migrations
RUN pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/venv/bin/pip install /wheels/photoshare-*.whl


FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="PhotoShare" \
      org.opencontainers.image.description="A photo-sharing REST service" \
      org.opencontainers.image.licenses="MIT"

# XDG_RUNTIME_DIR: a private runtime dir for the embedded PostgreSQL's lock file.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PHOTOSHARE_DATA_DIR=/data \
    PHOTOSHARE_HOST=0.0.0.0 \
    XDG_RUNTIME_DIR=/tmp/photoshare-run

RUN groupadd --system --gid 10001 photoshare \
    && useradd --system --uid 10001 --gid photoshare --create-home --home-dir /home/photoshare \
        --shell /usr/sbin/nologin photoshare \
    && install -d -o photoshare -g photoshare -m 0750 /data \
    && install -d -o photoshare -g photoshare -m 0700 /tmp/photoshare-run

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER photoshare

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PHOTOSHARE_PORT', '8000') + '/health', timeout=4)"]

# SIGINT reaches the CLI as KeyboardInterrupt even as PID 1, so it stops the server and the
# embedded PostgreSQL cleanly.
STOPSIGNAL SIGINT

ENTRYPOINT ["photoshare"]
CMD ["serve"]
