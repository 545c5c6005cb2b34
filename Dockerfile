# syntax=docker/dockerfile:1
#
# The operator image: `origin-ca-operator run` by default; the same image serves
# the Origin CA emulator with `emulator ...` (used by the end-to-end test).
#
#   docker build -t ghcr.io/origin-ca-operator/origin-ca-operator:0.1.0 .

ARG PYTHON_IMAGE=python:3.11-slim

# Build stage: install the project and its dependencies into a virtualenv. Every
# dependency ships wheels for this platform, so no compiler is needed; whatever
# the build pulls in stays in this stage.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/origin-ca-operator
WORKDIR /src
COPY pyproject.toml README.md ./
COPY operator ./operator
RUN /opt/origin-ca-operator/bin/pip install . \
 && /opt/origin-ca-operator/bin/pip uninstall --yes pip

# Final stage: the base image and the virtualenv, nothing else.
FROM ${PYTHON_IMAGE}
COPY --from=build /opt/origin-ca-operator /opt/origin-ca-operator
ENV PATH=/opt/origin-ca-operator/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# A numeric user, so that runAsNonRoot can verify it without a passwd entry.
USER 65532:65532
WORKDIR /tmp
# 8080: /healthz; 9090: Prometheus metrics.
EXPOSE 8080 9090
ENTRYPOINT ["origin-ca-operator"]
CMD ["run"]
