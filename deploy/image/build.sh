#!/bin/bash
# Build the students' image for Zero to JupyterHub with repo2docker (needs Docker; not run in our tests).
#   deploy/image/build.sh registry.example.org/lessonkit-user:2026-12
# It builds from a clean export of the committed tree (git archive HEAD), so uncommitted files and
# git's history never reach the image; repo2docker reads the repository's environment.yml and
# runs deploy/image/postBuild (copied to the root of the export), which removes the solutions.
set -euo pipefail
IMAGE="${1:?give the image name, e.g. registry.example.org/lessonkit-user:2026-12}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CTX="$(mktemp -d)"
trap 'rm -rf "$CTX"' EXIT
git -C "$ROOT" archive HEAD | tar -x -C "$CTX"
cp "$HERE/postBuild" "$CTX/postBuild"
jupyter-repo2docker --no-run --user-name jovyan --image-name "$IMAGE" "$CTX"
echo "built $IMAGE; push it (docker push $IMAGE) and set singleuser.image in deploy/z2jh-values.yaml"
