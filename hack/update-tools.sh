#!/usr/bin/env bash
# Rewrite the Go modules under hack/tools/ from the versions in hack/versions.env.
#
# Each tool has its own module so that the dependency graphs of Kubernetes, etcd
# and Helm never constrain one another. k8s.io/kubernetes is not meant to be
# required by other modules: its go.mod requires its staging modules (k8s.io/api,
# k8s.io/apiserver, ...) at v0.0.0 and replaces them with folders of its own
# repository, so our module replaces each of them with the matching published
# v0.X.Y release. Needs network access to the Go module proxy.
set -euo pipefail

hack_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "${hack_dir}/versions.env"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

staging_version="v0.${KUBERNETES_VERSION#v1.}"

write_module() {
    local dir="$1" module_path="$2"
    shift 2
    rm -f "${dir}/go.mod" "${dir}/go.sum"
    (cd "${dir}" && go mod init "${module_path}" >/dev/null 2>&1)
    (cd "${dir}" && go mod edit -go=1.26.0 "$@")
}

update_kubernetes() {
    local dir="${hack_dir}/tools/kubernetes" gomod
    gomod="$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" |
        sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
    local -a edits=("-require=k8s.io/kubernetes@${KUBERNETES_VERSION}")
    local module
    # The staging modules are the k8s.io/* requirements pinned at v0.0.0.
    for module in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "${gomod}"); do
        edits+=("-replace=${module}=${module}@${staging_version}")
    done
    write_module "${dir}" origin-ca-operator/hack/tools/kubernetes "${edits[@]}" \
        -tool=k8s.io/kubernetes/cmd/kube-apiserver \
        -tool=k8s.io/kubernetes/cmd/kube-controller-manager
    (cd "${dir}" && go mod tidy)
}

update_etcd() {
    local dir="${hack_dir}/tools/etcd"
    write_module "${dir}" origin-ca-operator/hack/tools/etcd \
        "-require=go.etcd.io/etcd/server/v3@${ETCD_VERSION}" \
        -tool=go.etcd.io/etcd/server/v3
    (cd "${dir}" && go mod tidy)
}

update_helm() {
    local dir="${hack_dir}/tools/helm"
    write_module "${dir}" origin-ca-operator/hack/tools/helm \
        "-require=helm.sh/helm/v4@${HELM_VERSION}" \
        -tool=helm.sh/helm/v4/cmd/helm
    (cd "${dir}" && go mod tidy)
}

update_kubernetes
update_etcd
update_helm
echo "hack/tools: go.mod and go.sum rewritten for Kubernetes ${KUBERNETES_VERSION}," \
    "etcd ${ETCD_VERSION}, Helm ${HELM_VERSION}"
