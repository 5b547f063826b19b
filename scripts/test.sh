#!/usr/bin/env bash
# Every test: installs what is missing, builds, runs the suite, then builds
# again with AddressSanitizer + UndefinedBehaviorSanitizer and runs it again,
# then runs the concurrency tests under ThreadSanitizer, then each libFuzzer
# target for a few seconds from its committed corpus.
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
echo "== ThreadSanitizer build: the concurrency tests"
(
  # A race reported inside the exporter kills it (exit 66), which fails the
  # test that drives it; one in a test binary fails that test.
  export TSAN_OPTIONS=halt_on_error=1:exitcode=66:second_deadlock_stack=1
  concurrency='SingleFlight|Concurrent|Frozen|Target\.|Http\.(ConnectionCaps|KeepAlive|Gzip|Sighup|Watchdog)'
  concurrency+='|Binary\.(Sigterm|ADeadline|ScrapeTimeout)|RedisFailure'
  concurrency+='|WebConfigTest\.(TlsAndBasicAuth|SighupReloads)|RedisConnect'
  cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQST_TSAN=ON \
    -DQST_BUILD_TESTS=ON >/dev/null
  cmake --build build/tsan -j "$jobs" --target quantum_safety_exporter quantum_safety_sim \
    unit_tests integration_tests e2e_tests targets_tests
  ctest --test-dir build/tsan --output-on-failure -j "$jobs" --timeout 300 --no-tests=error \
    -R "$concurrency"
)
echo "== libFuzzer targets (clang), ${QST_FUZZ_SECONDS:-8} s each"
(
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQST_FUZZ=ON -DQST_BUILD_TESTS=OFF -DQST_BUILD_BENCH=OFF -DQST_WERROR=OFF >/dev/null
  targets=(fuzz_resp_to_metrics fuzz_resp_limiter fuzz_text_inputs fuzz_http_request fuzz_escaping
    fuzz_targets_file fuzz_web_config)
  cmake --build build/fuzz -j "$jobs" --target "${targets[@]}"
  for t in "${targets[@]}"; do
    # New inputs go to build/fuzz/corpus; the committed corpus is read only.
    mkdir -p "build/fuzz/corpus/$t"
    "build/fuzz/$t" -max_total_time="${QST_FUZZ_SECONDS:-8}" -timeout=5 -rss_limit_mb=2048 \
      -print_final_stats=1 "build/fuzz/corpus/$t" "fuzz/corpus/$t" 2>"build/fuzz/$t.log" ||
      { tail -40 "build/fuzz/$t.log"; echo "fuzz: $t failed" >&2; exit 1; }
    grep -E "stat::number_of_executed_units" "build/fuzz/$t.log" | sed "s/^/$t: /"
  done
)
