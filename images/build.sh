#!/usr/bin/env bash
# Builds and pushes Ops's images with the .NET SDK's container support (no Docker): the operator, the agent
# (and the two misbehaving agent builds the rollout tests use) and the sample app, self-contained for
# linux-x64.
#
#   images/build.sh --registry ghcr.io/you --tag 1.0.0
#       for users: on Microsoft's runtime-deps base image (the SDK's default for self-contained apps)
#   images/build.sh --registry 127.0.0.1:5000 --tag 1.0.0 --local-base [--only ops-agent]
#       here, with no public registry: on a base made from Debian's packages (images/base.sh), pushed to
#       that (plain-HTTP, loopback) registry first and reused while it is up to date
#
# --only REPOSITORY builds that image alone (another agent version for a rollout, say).
# Prints one line per image: its reference. Images: REGISTRY/ops-operator:TAG, REGISTRY/ops-agent:TAG,
# REGISTRY/ops-agent:TAG-selftest-fails, REGISTRY/ops-agent:TAG-crashes, REGISTRY/ops-sample-app:TAG.
set -euo pipefail
cd "$(dirname "$0")/.."
registry="" tag="" local_base="" only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --local-base) local_base=yes; shift ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: images/build.sh --registry REGISTRY --tag TAG [--local-base] [--only REPOSITORY]" >&2; exit 2 ;;
  esac
done
[ -n "$registry" ] && [ -n "$tag" ] || { echo "usage: images/build.sh --registry REGISTRY --tag TAG [--local-base] [--only REPOSITORY]" >&2; exit 2; }
case "$only" in ""|ops-operator|ops-agent|ops-sample-app) ;; *) echo "images/build.sh: --only takes ops-operator, ops-agent or ops-sample-app, not $only" >&2; exit 2 ;; esac

out=$(mktemp -d /tmp/ops-images-publish.XXXXXX)
trap 'rm -rf "$out"' EXIT
base=()
if [ -n "$local_base" ]; then
  # The SDK speaks HTTPS to a registry unless told otherwise; a loopback registry here is plain HTTP.
  export DOTNET_CONTAINER_INSECURE_REGISTRIES="$registry"
  base=("-p:ContainerBaseImage=$(images/base.sh "$registry" | tail -n 1)")
fi

# publish PROJECT REPOSITORY TAG [MSBuild properties...]
publish() {
  local project=$1 repository=$2 image_tag=$3; shift 3
  [ -z "$only" ] || [ "$only" = "$repository" ] || return 0
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -t:PublishContainer -v:quiet -nologo \
    -o "$out/$repository-$image_tag" \
    -p:ContainerRegistry="$registry" -p:ContainerRepository="$repository" -p:ContainerImageTag="$image_tag" "${base[@]}" "$@" >&2
  echo "$registry/$repository:$image_tag"
}

publish operator/Ops.Operator ops-operator "$tag"
publish agent/Ops.Agent ops-agent "$tag"
# The rollout's failure paths, as real images with other configuration: a self-test that fails (its
# diagnostic ports directory cannot be made under a file) and an agent that refuses its settings at start.
publish agent/Ops.Agent ops-agent "$tag-selftest-fails" "-p:OpsAgentImageVariant=selftest-fails"
publish agent/Ops.Agent ops-agent "$tag-crashes" "-p:OpsAgentImageVariant=crashes"
publish sandbox/Ops.SampleApp ops-sample-app "$tag"
