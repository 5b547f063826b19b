#!/usr/bin/env bash
# clang-tidy (checks in .clang-tidy) over the project's own sources, using the
# compile commands of a build directory (default build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
if [ ! -f "$build/compile_commands.json" ]; then
  cmake -S . -B "$build" -G Ninja >/dev/null
  cmake --build "$build" >/dev/null  # generated headers must exist
fi
mapfile -t files < <(git ls-files 'src/*.cc')
# Any warning is an error (WarningsAsErrors in .clang-tidy).
if ! out=$(clang-tidy -p "$build" --quiet "${files[@]}" 2>&1); then
  grep -v 'warnings generated' <<<"$out" >&2
  exit 1
fi
echo "clang-tidy: ${#files[@]} files clean"
