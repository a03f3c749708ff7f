# syntax=docker/dockerfile:1
# The Sharp Eyes edge agent: only sharpeyes[edge] (OpenCV headless, onnxruntime, kafka-python),
# no faust. Multi-arch (every wheel it needs exists for both):
#   docker buildx build --platform linux/amd64,linux/arm64 -f docker/edge.Dockerfile -t sharpeyes-edge .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY sharpeyes ./sharpeyes
COPY edge ./edge
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[edge]"

FROM ${PYTHON_IMAGE}
ARG SHARPEYES_VERSION=0.1.0
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    OMP_NUM_THREADS=2 \
    MALLOC_ARENA_MAX=2
RUN groupadd --system --gid 10001 sharpeyes \
    && useradd --system --uid 10001 --gid sharpeyes --home-dir /var/lib/sharpeyes --create-home \
       --shell /usr/sbin/nologin sharpeyes
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels "sharpeyes[edge]==${SHARPEYES_VERSION}" \
    && rm -rf /wheels
USER 10001:10001
WORKDIR /var/lib/sharpeyes
# the disk outbox lives here: keep it on a volume so alerts survive a container replacement
VOLUME ["/var/lib/sharpeyes"]
EXPOSE 9108
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9108/metrics', timeout=4)"]
ENTRYPOINT ["sharpeyes"]
CMD ["--log-json", "edge", "run", "--config", "/etc/sharpeyes/edge.yaml"]
