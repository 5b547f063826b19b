# Shared helpers for the project's shell scripts (sourced, not run).

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# Waits until `redis-cli -p PORT ping` answers, at most 10 s.
wait_redis() {
  local port=$1
  for _ in $(seq 1 100); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.1
  done
  echo "redis-server on port $port did not start" >&2
  return 1
}

# Waits for the exporter's "listening" log line and prints the port it bound.
exporter_port() {
  local log=$1
  for _ in $(seq 1 100); do
    local p
    p=$(grep -o 'msg=listening .* port=[0-9]*' "$log" 2>/dev/null | grep -o 'port=[0-9]*' | cut -d= -f2 | head -1)
    if [ -n "$p" ]; then echo "$p"; return 0; fi
    sleep 0.1
  done
  echo "exporter did not start; its log:" >&2
  cat "$log" >&2
  return 1
}
