#!/usr/bin/env bash
# Renders the monitoring mixin (deploy/mixin/*.libsonnet) with Debian's jsonnet.
#   deploy/mixin/render.sh                 write the committed files (default _config)
#   deploy/mixin/render.sh --check         fail if a committed file differs from the mixin
#   deploy/mixin/render.sh --out DIR [--config 'JSONNET OBJECT']
#                                          render into DIR with _config overrides, e.g.
#                                          --config '{selector: "job=\"monitoring/x\"", kernelLabels: ["environment", "instance"]}'
set -euo pipefail
cd "$(dirname "$0")/../.."
mixin=deploy/mixin

render() {  # render DIR CONFIG
  mkdir -p "$1"
  jsonnet -J "$mixin" -S -m "$1" --tla-code "config=$2" "$mixin/render.jsonnet" >/dev/null
}

# Where each rendered file is committed.
declare -A committed=(
  [quantum_safety.rules.yml]=deploy/prometheus/rules/quantum_safety.rules.yml
  [quantum_safety_meta.rules.yml]=deploy/prometheus/meta/quantum_safety_meta.rules.yml
  [quantum_safety_telemetry.json]=deploy/grafana/dashboards/quantum_safety_telemetry.json
  [prometheusrule.yaml]=deploy/kubernetes/prometheusrule.yaml
)

case "${1:-}" in
  --out)
    render "${2:?--out DIR}" "${4:-{\}}" ;;
  --check | "")
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    render "$tmp" '{}'
    stale=0
    for f in "${!committed[@]}"; do
      if [ "${1:-}" = --check ]; then
        if ! cmp -s "$tmp/$f" "${committed[$f]}"; then
          echo "out of date: ${committed[$f]} (run deploy/mixin/render.sh)" >&2
          diff -u "${committed[$f]}" "$tmp/$f" | head -20 >&2 || true
          stale=1
        fi
      else
        mkdir -p "$(dirname "${committed[$f]}")"
        cp "$tmp/$f" "${committed[$f]}"
      fi
    done
    if [ "$stale" -ne 0 ]; then exit 1; fi
    if [ -n "${1:-}" ]; then echo "${#committed[@]} rendered files match the mixin"; else echo "${#committed[@]} rendered files written"; fi ;;
  *)
    sed -n '2,8p' "$0" >&2
    exit 2 ;;
esac
