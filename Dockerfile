# One image for the proxy (default command) and the emulator (`python -m emulator`).
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
COPY pyproject.toml README.md ./
COPY service ./service
COPY emulator ./emulator
RUN pip install --no-deps . && rm -rf build *.egg-info

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin proxy
USER proxy

EXPOSE 8080
# Liveness of the proxy (the default command); compose gives the emulator its own check.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
# X-Forwarded-For is read by the app itself, from NFX_TRUSTED_PROXIES only: uvicorn's own
# reading (on by default, trusting 127.0.0.1) is turned off so that the two never disagree.
CMD ["uvicorn", "--factory", "service.app:create_app", "--host", "0.0.0.0", "--port", "8080", \
     "--no-proxy-headers", "--no-server-header"]
