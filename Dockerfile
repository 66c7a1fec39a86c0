# dl4go: JupyterLab with the dl4go Go kernel (GoNB + GoMLX), the lessons and their notebooks.
#
#   docker build -t dl4go .
#   docker run -p 8888:8888 dl4go          # open the http://127.0.0.1:8888/lab?token=... URL it prints
#
# GPU variant (XLA's CUDA PJRT plugin and Nvidia libraries; run with --gpus all):
#
#   docker build --build-arg XLA_CUDA=cuda13 -t dl4go:cuda .
#   docker run --gpus all -p 8888:8888 -e GOMLX_BACKEND=xla:cuda dl4go:cuda
#
# The image keeps the jupyter/docker-stacks contract (user jovyan, start-notebook.py,
# start-singleuser.py), so it also serves as a JupyterHub single-user image: see docs/container.md.
# Lesson 23 (lessons/docker) parses this file and checks it against go.mod.

# Versions. GO_VERSION, GONB_VERSION and GOMLX_VERSION must equal go.mod's (lesson 23 checks it,
# and the build stage below fails if the module versions drift).
ARG GO_VERSION=1.26.8
ARG GONB_VERSION=v0.11.1
ARG GOMLX_VERSION=v0.26.0
# jupyter/docker-stacks base image, pinned by its date tag (Ubuntu 24.04, JupyterLab 4.6).
ARG BASE_TAG=2026-08-24
# GPU variant: "cuda13" or "cuda12" installs XLA's CUDA PJRT plugin; empty builds the CPU-only image.
ARG XLA_CUDA=
# Jax version of the CUDA PJRT wheel ("latest" or e.g. 0.8.1 to pin it).
ARG XLA_CUDA_VERSION=latest

############################################################################################
# Stage 1 "build": the official Go image compiles dl4go, GoNB, gopls and goimports, and
# downloads the XLA PJRT plugin(s). Debian bookworm's glibc (2.36) is older than Ubuntu
# 24.04's, so the binaries run in the final stage.
############################################################################################
FROM golang:${GO_VERSION}-bookworm AS build
ARG GONB_VERSION
ARG GOMLX_VERSION
ARG XLA_CUDA
ARG XLA_CUDA_VERSION
ENV GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
WORKDIR /src

# Dependencies first: this layer is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download \
    && test "$(go list -m -f '{{.Version}}' github.com/janpfeifer/gonb)" = "${GONB_VERSION}" \
    && test "$(go list -m -f '{{.Version}}' github.com/gomlx/gomlx)" = "${GOMLX_VERSION}"

COPY . .
# dl4go (with cgo, so it links GoMLX's XLA backend) and the kernel's tools, at go.mod's versions.
RUN mkdir -p /out/bin \
    && go build -trimpath -o /out/bin/ ./cmd/dl4go \
    && go build -trimpath -o /out/bin/ github.com/janpfeifer/gonb golang.org/x/tools/gopls golang.org/x/tools/cmd/goimports

# XLA PJRT plugin(s), with go-xla's installer at the version GoMLX pins (`dl4go xla`).
RUN go run ./cmd/dl4go xla -dir /usr/local/lib/go-xla -cuda "${XLA_CUDA}" -cuda-version "${XLA_CUDA_VERSION}"

############################################################################################
# Stage 2: the notebook server users run, on jupyter/docker-stacks' base-notebook
# (JupyterLab, tini, start-notebook.py, user jovyan with NB_UID=1000 and NB_GID=100).
############################################################################################
FROM quay.io/jupyter/base-notebook:${BASE_TAG}
ARG GONB_VERSION
ARG GOMLX_VERSION
LABEL org.opencontainers.image.title="dl4go" \
      org.opencontainers.image.description="JupyterLab with the dl4go Go kernel (GoNB ${GONB_VERSION}, GoMLX ${GOMLX_VERSION}) and the dl4go lessons" \
      org.opencontainers.image.source="https://github.com/dl4go/dl4go"

# Root only for system packages: a C compiler, because notebook cells are compiled at run time
# and GoMLX's XLA backend uses cgo.
USER root
RUN apt-get update --yes \
    && apt-get install --yes --no-install-recommends gcc libc6-dev \
    && apt-get clean && rm -rf /var/lib/apt/lists/*

# The Go toolchain (cells compile at run time), the binaries and the PJRT plugin(s) from stage 1.
COPY --from=build /usr/local/go /usr/local/go
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /usr/local/lib/go-xla /usr/local/lib/go-xla

# Go's caches live outside $HOME, so a volume mounted on the home directory does not hide them.
ENV GOPATH=/opt/go \
    GOMODCACHE=/opt/go/pkg/mod \
    GOCACHE=/opt/go/cache \
    GOTOOLCHAIN=local \
    GOFLAGS=-buildvcs=false \
    GOPROXY=file:///opt/go/pkg/mod/cache/download,https://proxy.golang.org,direct \
    PATH=/usr/local/go/bin:/opt/go/bin:${PATH} \
    DL4GO_ROOT=/home/${NB_USER}/dl4go
RUN mkdir -p /opt/go && chown "${NB_UID}:${NB_GID}" /opt/go && fix-permissions /opt/go

# The repository (the lessons the notebooks import, and the notebooks).
COPY --chown=${NB_UID}:${NB_GID} . /home/${NB_USER}/dl4go

# Everything else as jovyan.
USER ${NB_UID}
WORKDIR /home/${NB_USER}/dl4go

# Module cache pre-filled, so cells build with no network; build cache warmed for the shared packages;
# notebooks/work is where compose mounts the learner's own volume.
RUN go mod download \
    && go build ./lessons ./gomlxext/... ./plotting/... \
    && mkdir -p notebooks/work "/home/${NB_USER}/.cache/dl4go"

# The "dl4go" kernel for jovyan (GoNB, gopls, goimports in the kernel directory), the offline
# chart and math assets in jovyan's cache, and a report of what the container provides.
RUN dl4go install --user \
    && dl4go doctor

# Smoke test: the welcome notebook runs through the kernel as a learner's would (this also warms
# the caches cells use, so the first cell in the container starts fast).
RUN dl4go run --quick --out /tmp/dl4go-smoke 00 \
    && rm -rf /tmp/dl4go-smoke

# New notebooks and consoles start on the Go kernel.
RUN mkdir -p "${CONDA_DIR}/etc/jupyter/jupyter_server_config.d" \
    && printf '{"MultiKernelManager": {"default_kernel_name": "dl4go"}}\n' \
       > "${CONDA_DIR}/etc/jupyter/jupyter_server_config.d/dl4go.json"

# JupyterLab opens on the notebooks; token authentication stays on (start-notebook.py's default).
WORKDIR /home/${NB_USER}/dl4go/notebooks
EXPOSE 8888
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD /etc/jupyter/docker_healthcheck.py || exit 1
CMD ["start-notebook.py"]
