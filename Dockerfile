# One image for every role: the proxy (default command) and the emulator
# (`netflix-proxy emulator ...`). Runtime dependencies only: no test toolchain, no embedded store.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Locked dependencies first: this layer is rebuilt only when the lock file changes.
COPY requirements.lock ./
RUN pip install --no-deps -r requirements.lock

# Then the source, installed without touching the dependencies resolved above.
COPY pyproject.toml README.md LICENSE ./
COPY service ./service
COPY emulator ./emulator
RUN pip install --no-deps . && rm -rf build *.egg-info

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin proxy
USER proxy

EXPOSE 8080
# Readiness of the proxy (Redis and the upstream answer); the emulator role sets
# HEALTHCHECK_URL to its own port, where any answer below 500 means it serves.
ENV HEALTHCHECK_URL=http://127.0.0.1:8080/readyz
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD netflix-proxy probe "$HEALTHCHECK_URL"
# Several processes: set WEB_CONCURRENCY (or add --workers N).
CMD ["netflix-proxy", "serve", "--host", "0.0.0.0", "--port", "8080"]
