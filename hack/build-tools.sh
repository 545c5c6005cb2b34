#!/usr/bin/env bash
# Build the local control plane (etcd, kube-apiserver, kube-controller-manager),
# Helm, and fetch cert-manager's CRDs, into a cache outside the repository.
#
#   hack/build-tools.sh              build unless the cache is already complete
#   hack/build-tools.sh --print-dir  print the cache folder for these versions
#
# The cache folder is
#   ${XDG_CACHE_HOME:-$HOME/.cache}/origin-ca-operator/tools/<key>/
# where <key> is derived from hack/versions.env, the go.mod and go.sum files
# under hack/tools/, this script and the Go version, so that changing any of
# them builds afresh. ORIGIN_CA_TOOLS_CACHE overrides the parent folder.
# A folder is complete once its .complete stamp exists; builds go to a temporary
# folder renamed into place at the end, so an interrupted build leaves nothing
# that looks complete.
set -euo pipefail

hack_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "${hack_dir}")"
# shellcheck source=versions.env
source "${hack_dir}/versions.env"
# Build with the machine's Go; the modules under hack/tools/ ask for no newer.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="-mod=readonly -buildvcs=false"
export CGO_ENABLED=0

cache_root="${ORIGIN_CA_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/origin-ca-operator/tools}"
binaries=(etcd kube-apiserver kube-controller-manager helm)
crds=(cert-manager.io_certificaterequests.yaml cert-manager.io_certificates.yaml)

die() {
    echo "build-tools: $*" >&2
    exit 1
}

cache_key() {
    command -v go >/dev/null || die "Go is needed to build the tools; none on PATH"
    local go_version
    go_version="$(go env GOVERSION)"
    local digest
    digest="$(cd "${hack_dir}" &&
        cat versions.env build-tools.sh tools/*/go.mod tools/*/go.sum |
        { cat; echo "${go_version}"; } | sha256sum | cut -c1-12)"
    echo "k8s-${KUBERNETES_VERSION}-${go_version}-${digest}"
}

check_pins() {
    # versions.env is the one place versions are set; the Go modules must agree.
    local staging="v0.${KUBERNETES_VERSION#v1.}"
    local tools="${hack_dir}/tools" end='( // indirect)?$'
    grep -Eq "k8s.io/kubernetes ${KUBERNETES_VERSION}${end}" "${tools}/kubernetes/go.mod" &&
        grep -Eq "k8s.io/api => k8s.io/api ${staging}\$" "${tools}/kubernetes/go.mod" &&
        grep -Eq "go.etcd.io/etcd/server/v3 ${ETCD_VERSION}${end}" "${tools}/etcd/go.mod" &&
        grep -Eq "helm.sh/helm/v4 ${HELM_VERSION}${end}" "${tools}/helm/go.mod" ||
        die "hack/tools/*/go.mod disagree with hack/versions.env; run hack/update-tools.sh"
}

kubernetes_ldflags() {
    local minor="${KUBERNETES_VERSION#v1.}"
    minor="${minor%%.*}"
    local flags="-s -w" package
    # What `kube-apiserver --version` and /version report; Kubernetes' own build
    # sets these the same way.
    for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X ${package}.gitVersion=${KUBERNETES_VERSION}"
        flags+=" -X ${package}.gitMajor=1 -X ${package}.gitMinor=${minor}"
        flags+=" -X ${package}.gitTreeState=clean"
    done
    echo "${flags}"
}

timed() {
    local what="$1" began=${SECONDS}
    shift
    echo "build-tools: building ${what}"
    "$@"
    echo "build-tools: built ${what} in $((SECONDS - began))s"
}

build_binaries() {
    local out="$1"
    timed "kube-apiserver and kube-controller-manager ${KUBERNETES_VERSION}" \
        go -C "${hack_dir}/tools/kubernetes" build -trimpath \
        -ldflags="$(kubernetes_ldflags)" -o "${out}/" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
    timed "etcd ${ETCD_VERSION}" \
        go -C "${hack_dir}/tools/etcd" build -trimpath -ldflags="-s -w" \
        -o "${out}/etcd" go.etcd.io/etcd/server/v3
    timed "helm ${HELM_VERSION}" \
        go -C "${hack_dir}/tools/helm" build -trimpath -ldflags="-s -w" \
        -o "${out}/helm" helm.sh/helm/v4/cmd/helm
}

crd_source_dir() {
    local module="github.com/cert-manager/cert-manager@${CERT_MANAGER_VERSION}" dir=""
    # Outside any module, so that hack/tools' go.mod files are not consulted.
    dir="$(cd / && GOFLAGS= go mod download -json "${module}" 2>/dev/null |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || true
    if [[ -n "${dir}" && -d "${dir}/deploy/crds" ]]; then
        echo "${dir}/deploy/crds"
        return
    fi
    local fallback="${repo_dir}/../shared/data/cert-manager-${CERT_MANAGER_VERSION}-crds"
    [[ -d "${fallback}" ]] || die "cannot download ${module} and no copy in ${fallback}"
    echo "build-tools: ${module} unavailable; using ${fallback}" >&2
    echo "${fallback}"
}

copy_crds() {
    local out="$1" source_dir name
    source_dir="$(crd_source_dir)"
    mkdir -p "${out}/crds"
    for name in "${crds[@]}"; do
        [[ -f "${source_dir}/${name}" ]] || die "${source_dir} has no ${name}"
        # The files are plain YAML today; should Helm template lines appear, drop
        # the lines that hold nothing but a template action.
        sed -E '/^[[:space:]]*\{\{.*\}\}[[:space:]]*$/d' "${source_dir}/${name}" >"${out}/crds/${name}"
        if grep -q '{{' "${out}/crds/${name}"; then
            die "${name} still holds Helm template syntax after stripping"
        fi
    done
}

main() {
    check_pins
    local key dir
    key="$(cache_key)"
    dir="${cache_root}/${key}"
    if [[ "${1:-}" == "--print-dir" ]]; then
        echo "${dir}"
        return
    fi
    if [[ -f "${dir}/.complete" ]]; then
        echo "build-tools: up to date in ${dir}"
        return
    fi

    local started=${SECONDS} partial="${dir}.partial.$$"
    mkdir -p "${cache_root}"
    rm -rf "${partial}"
    trap 'rm -rf "${partial}"' EXIT
    mkdir -p "${partial}"
    build_binaries "${partial}"
    copy_crds "${partial}"
    cp "${hack_dir}/versions.env" "${partial}/versions.env"
    touch "${partial}/.complete"
    rm -rf "${dir}"
    mv "${partial}" "${dir}"
    trap - EXIT

    local elapsed=$((SECONDS - started))
    echo "build-tools: built ${binaries[*]} and CRDs in ${elapsed}s into ${dir}"
    (cd "${dir}" && du -h "${binaries[@]}")
}

main "$@"
