# syntax=docker/dockerfile:1
# Sharp Eyes stream processors (Faust workers), the webhook dispatcher and the console:
# one image, the command picks the role.
#   worker:   sharpeyes --log-json pipeline run --config /etc/sharpeyes/pipeline.yaml
#   topics:   sharpeyes pipeline topics --config /etc/sharpeyes/pipeline.yaml [--check]
#   webhooks: sharpeyes --log-json webhooks dispatch --config /etc/sharpeyes/webhooks.yaml
#   console:  sharpeyes --log-json console --config /etc/sharpeyes/console.yaml
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY sharpeyes ./sharpeyes
COPY pipeline ./pipeline
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[pipeline]"

FROM ${PYTHON_IMAGE}
ARG SHARPEYES_VERSION=0.1.0
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 sharpeyes \
    && useradd --system --uid 10001 --gid sharpeyes --home-dir /var/lib/sharpeyes --create-home \
       --shell /usr/sbin/nologin sharpeyes
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels "sharpeyes[pipeline]==${SHARPEYES_VERSION}" \
    && rm -rf /wheels
COPY configs/district-demo /etc/sharpeyes/district-demo
USER 10001:10001
WORKDIR /var/lib/sharpeyes
EXPOSE 6066 8080
# a worker answers 200 on /healthz once its partitions are assigned and tables recovered
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=4 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:6066/healthz', timeout=4)"]
ENTRYPOINT ["sharpeyes"]
CMD ["--log-json", "pipeline", "run", "--config", "/etc/sharpeyes/pipeline.yaml"]
