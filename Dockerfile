# The prodgate GitHub Action's image. Two stages: dependencies are installed from the hashed lock in a
# build stage, and only the virtual environment moves into the final one (no pip cache, no build tools).
#
# BASE_IMAGE is an argument so that a locally made image can stand in where Docker Hub is unreachable
# (CI does this: .ci/docker-base.sh). The default is an official slim image pinned by tag.
ARG BASE_IMAGE=python:3.14.0-slim-trixie

FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_NO_INPUT=1 \
    PRODGATE_TEMPLATE_CACHE=/opt/prodgate/templates
RUN python3 -m venv /opt/prodgate
COPY requirements/lock.txt /src/requirements/lock.txt
RUN /opt/prodgate/bin/pip install --require-hashes --no-deps --only-binary=:all: -r /src/requirements/lock.txt
COPY pyproject.toml README.md /src/
COPY gate /src/gate
COPY templates /src/templates
# Bytecode is compiled here, once, instead of on every run: the image never writes any
# (PYTHONDONTWRITEBYTECODE), so each run compiled every module it imported (0.6 s of a small check).
# unchecked-hash: the .pyc is used as built, whatever the files' times become. pip (only the build
# uses it) and pygments (rich's highlighter; pip-audit's JSON output never loads it) stay source: 12 MB.
RUN /opt/prodgate/bin/pip install --no-deps /src \
 && /opt/prodgate/bin/pip uninstall -y -q setuptools \
 && find /opt/prodgate -name '__pycache__' -prune -exec rm -rf {} + \
 && /opt/prodgate/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash \
      -x '/site-packages/(pip|pygments)/' /opt/prodgate/lib \
 && mkdir /opt/prodgate/templates \
 && /opt/prodgate/bin/python -c 'from gate.report.render import precompile; precompile()'

FROM ${BASE_IMAGE}
# No git binary: the gate never runs git (a repository's own .git/config can make git run commands); it
# reads the index with dulwich and the ignore rules with gate/ignore.py (see gate/snapshot.py), which also
# makes git's safe.directory refusal of the runner-owned workspace a non-issue.
RUN useradd --uid 1001 --user-group --create-home --shell /usr/sbin/nologin prodgate
COPY --from=build /opt/prodgate /opt/prodgate
# the templates compiled at build time (gate/report/render.py), read-only to the user the Action runs as
ENV PATH=/opt/prodgate/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PRODGATE_TEMPLATE_CACHE=/opt/prodgate/templates
LABEL org.opencontainers.image.title="prodgate" \
      org.opencontainers.image.description="Production-readiness gate for ML model-serving services"
# uid 1001 is the runner user on GitHub-hosted runners: it can write the step's output and summary files.
USER 1001:1001
# a one-shot command, not a service: there is nothing to probe
HEALTHCHECK NONE
ENTRYPOINT ["prodgate", "action"]
