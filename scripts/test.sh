#!/usr/bin/env bash
# Every test: installs what is missing, builds, runs the suite, then builds
# again with AddressSanitizer + UndefinedBehaviorSanitizer and runs it again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
run_suite() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 300
}

echo "== release build"
run_suite build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQST_BUILD_TESTS=ON
echo "== ASan + UBSan build"
(
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suite build/asan -DCMAKE_BUILD_TYPE=Debug -DQST_SANITIZE=ON -DQST_BUILD_TESTS=ON
)
