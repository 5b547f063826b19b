#!/usr/bin/env bash
# The benchmark suite, one command: installs what is missing, builds a release
# build in build/bench, runs bench/run.py (loopback only, bounded in count and
# time) and the Google Benchmark micro-benchmarks. Results:
# bench/results/latest.json, bench/results/micro.json, and a table on stdout.
#   bench/run.sh [--repeats 3] [--scrapes 1000] [--scales seed,large]
#   bench/run.sh --writers [--rates 0,10,100,1000,10000] [--intervals 1,15]
#                                 cost under real write rates (bench/writers.py):
#                                 bench/results/writers.json and its table
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DQST_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench >/dev/null
if [ "${1:-}" = --writers ]; then
  shift
  exec /usr/bin/python3 bench/writers.py --build build/bench "$@"
fi
/usr/bin/python3 bench/run.py --build build/bench "$@"
build/bench/bench_micro --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out=bench/results/micro.json --benchmark_out_format=json
