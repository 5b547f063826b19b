#!/usr/bin/env bash
# Fails if any C++ file differs from what clang-format (.clang-format) makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find src tests bench tools -name '*.cc' -o -name '*.h')
if [ "${#files[@]}" -eq 0 ]; then
  echo "no C++ files found" >&2
  exit 1
fi
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
