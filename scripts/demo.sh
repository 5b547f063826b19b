#!/usr/bin/env bash
# The demo: a private redis-server on a free port in a temporary directory,
# some safety-kernel state in it, and the exporter serving it on another free
# port, with a live one-screen summary. Ctrl-C (or --duration) stops all of
# it and removes the temporary files. Ports 6379, 9090, 9093 and 9105 are
# never touched.
#
#   scripts/demo.sh [--duration 45s]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

duration=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=${2%s}; shift 2 ;;
    --duration=*) duration=${1#--duration=}; duration=${duration%s}; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$duration" =~ ^[0-9]+$ ]]; then
  echo "demo: --duration takes whole seconds, e.g. 45s" >&2
  exit 2
fi

scripts/install-deps.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQST_BUILD_TESTS=OFF >/dev/null
cmake --build build/demo --target quantum_safety_exporter >/dev/null

work=$(mktemp -d /tmp/qst-demo-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no \
  --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
pids+=($!)
wait_redis "$redis_port"
rcli() { redis-cli -p "$redis_port" "$@" >/dev/null; }

# Some state to look at: faults over the last hour, a minute of intents, the
# current rate window and SAFE MODE tripped for 60 s.
now_ms=$(redis-cli -p "$redis_port" --no-raw eval "local t=redis.call('TIME') return t[1]*1000+math.floor(t[2]/1000)" 0 | tr -dc 0-9)
symbols=(BTCUSDT ETHUSDT BNBUSDT SOLUSDT XRPUSDT ADAUSDT)
reasons=(GLOBAL_RATE_EXCEEDED SYMBOL_RATE_EXCEEDED SAFE_MODE_ACTIVE)
for i in $(seq 0 29); do
  rcli XADD quantum:stream:safety.fault "$((now_ms - 3500000 + i * 110000))-0" \
    reason "${reasons[i % 3]}" symbol "${symbols[i % 6]}" side BUY
done
for i in $(seq 0 59); do
  rcli XADD quantum:stream:trade.intent "$((now_ms - 59000 + i * 950))-0" \
    symbol "${symbols[i % 6]}" side SELL qty 1 price 100
done
ws=$(( now_ms / 1000 / 60 * 60 ))
rcli SET "quantum:safety:rate:global:$ws" 60 EX 180
rcli ZADD "quantum:safety:rate:symbol:$ws" 20 BTCUSDT 15 ETHUSDT 10 BNBUSDT 8 SOLUSDT 4 XRPUSDT 3 ADAUSDT
rcli EXPIRE "quantum:safety:rate:symbol:$ws" 180
rcli SET quantum:safety:safe_mode 1 EX 60

build/demo/quantum_safety_exporter --web.listen-address 127.0.0.1:0 \
  --redis.addr "redis://127.0.0.1:$redis_port" >"$work/exporter.log" 2>&1 &
pids+=($!)
exporter=$(exporter_port "$work/exporter.log")

cat <<TXT
Demo running (temporary files in $work):
  Redis:    redis-cli -p $redis_port
  Metrics:  curl -s http://127.0.0.1:$exporter/metrics
  Page:     http://127.0.0.1:$exporter/
Try: redis-cli -p $redis_port SET quantum:safety:safe_mode 1 EX 30
TXT

metric() { grep -E "^$1( |\{)" <<<"$scrape" | head -1 | awk '{print $NF}'; }
start=$(date +%s)
while :; do
  scrape=$(curl -fsS "http://127.0.0.1:$exporter/metrics") || { echo "demo: exporter stopped" >&2; exit 1; }
  safe=$(metric quantum_safety_safe_mode)
  printf '%s  SAFE MODE %-3s ttl %-7s faults/1h %-4s intents/min %-4s window %-4s top: %s  redis_up %s\n' \
    "$(date +%T)" "$([ "$safe" = 1 ] && echo ON || echo off)" "$(metric quantum_safety_safe_mode_ttl_seconds)" \
    "$(metric quantum_safety_faults_last_1h)" "$(metric quantum_trade_intent_rate_per_min)" \
    "$(metric quantum_safety_rate_global_current_window)" \
    "$(grep -o 'symbols="[^"]*"' <<<"$scrape" | cut -d'"' -f2)" "$(metric quantum_safety_redis_up)"
  if [ "$duration" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$duration" ]; then break; fi
  sleep 2
done
