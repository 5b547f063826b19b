#!/usr/bin/env bash
# Static checks of the monitoring bundle under deploy/, against the real
# tools: promtool, amtool, systemd-analyze. One check per call, so each is
# its own ctest test:
#   scripts/check-bundle.sh mixin|rules|rule-tests default|kube|prometheus-config|
#     monitoring-configs|alertmanager|systemd BINARY|deb BUILD
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case "${1:-}" in
  mixin)
    deploy/mixin/render.sh --check ;;
  rules)
    promtool check rules deploy/prometheus/rules/*.yml deploy/prometheus/meta/*.yml ;;
  rule-tests)
    # The mixin's promtool tests, rendered for one _config flavour:
    #   default: the plain-Prometheus job; kube: kube-prometheus' job naming and
    #   test/prod/shadow kernels told apart by an environment label.
    case "${2:?default|kube}" in
      default) config='{}'; kernels='[{instance: "h:9105"}, {instance: "h2:9105"}]' ;;
      kube)
        config='{selector: "job=\"monitoring/quantum-safety-exporter\"", kernelLabels: ["environment", "instance"]}'
        kernels='[{environment: "prod", instance: "node-a:9105"}, {environment: "shadow", instance: "node-a:9106"}]' ;;
      *) echo "unknown flavour $2" >&2; exit 2 ;;
    esac
    deploy/mixin/render.sh --out "$tmp/rules" --config "$config"
    jsonnet -S -m "$tmp" -J deploy/mixin --tla-str rules="$tmp/rules/quantum_safety.rules.yml" \
      --tla-str meta="$tmp/rules/quantum_safety_meta.rules.yml" --tla-code "config=$config" \
      --tla-code "kernels=$kernels" deploy/mixin/tests/rules_test.jsonnet >/dev/null
    promtool check rules "$tmp"/rules/*.yml
    promtool test rules "$tmp"/*_test.yml
    if [ "$2" = default ]; then promtool test rules deploy/prometheus/tests/seed_rule_test.yml; fi ;;
  prometheus-config)
    # The example points at the installed rules; check it against the repo's.
    sed -e "s#/etc/prometheus/rules/quantum_safety.rules.yml#$PWD/deploy/prometheus/rules/quantum_safety.rules.yml#" \
      -e "s#/etc/prometheus/rules/quantum_safety_meta.rules.yml#$PWD/deploy/prometheus/meta/quantum_safety_meta.rules.yml#" \
      deploy/prometheus/prometheus.yml >"$tmp/prometheus.yml"
    promtool check config "$tmp/prometheus.yml"
    # The snippet is the same job as in the full example (comments aside).
    sed -n '/--- begin quantum_safety_telemetry/,/--- end/p' deploy/prometheus/prometheus.yml |
      sed '1d;$d' | sed 's/^  //' | grep -v '^ *#' >"$tmp/from_example"
    grep -v '^ *#' deploy/prometheus/scrape_job.yml >"$tmp/snippet"
    if ! diff "$tmp/from_example" "$tmp/snippet"; then
      echo "scrape_job.yml and the job in prometheus.yml differ"
      exit 1
    fi
    echo "scrape job snippet matches the example"
    # The probe job for several kernels is a valid scrape config too.
    { printf 'scrape_configs:\n'; grep -v '^ *#' deploy/prometheus/probe_job.yml | sed 's/^/  /'; } \
      >"$tmp/probe.yml"
    promtool check config "$tmp/probe.yml" ;;
  monitoring-configs)
    # The demo's and tests' fast configs: the shipped rules pass, and a rules
    # file with one expression drifted is refused (the check can fail).
    /usr/bin/python3 scripts/monitoring-configs.py "$tmp" 127.0.0.1:1 127.0.0.1:2 none
    sed 's/\[5m\])) > 5"$/[5m])) > 6"/' \
      deploy/prometheus/rules/quantum_safety.rules.yml >"$tmp/drifted.yml"
    if cmp -s deploy/prometheus/rules/quantum_safety.rules.yml "$tmp/drifted.yml"; then
      echo "the drift test changed nothing: its sed pattern no longer matches"; exit 1
    fi
    if out=$(QST_SHIPPED_RULES="$tmp/drifted.yml" /usr/bin/python3 scripts/monitoring-configs.py \
        "$tmp/d" 127.0.0.1:1 127.0.0.1:2 none 2>&1); then
      echo "a drifted expression was not caught"; exit 1
    fi
    echo "$out" | grep -q "!= shipped" || { echo "unexpected failure: $out"; exit 1; }
    echo "drift caught: $out" ;;
  alertmanager)
    amtool check-config deploy/alertmanager/alertmanager.yml
    route() { amtool config routes test --config.file=deploy/alertmanager/alertmanager.yml "$@" 2>/dev/null; }
    [ "$(route severity=critical alertname=QuantumSafeModeActive)" = pager ]
    [ "$(route severity=warning alertname=QuantumSafetyFaultSpike)" = chat ]
    [ "$(route alertname=Unlabelled)" = chat ]
    # No secret is written inline: every credential is a *_file.
    if grep -nE '^\s*(api_url|routing_key|service_key|auth_password|password|credentials|bearer_token):' \
        deploy/alertmanager/alertmanager.yml; then
      echo "inline secret in alertmanager.yml"; exit 1
    fi
    echo "routes: critical -> pager, warning -> chat; no inline secrets" ;;
  systemd)
    binary=${2:?binary path}
    sed "s#/usr/bin/quantum_safety_exporter#$binary#" \
      deploy/systemd/quantum-safety-telemetry.service >"$tmp/quantum-safety-telemetry.service"
    systemd-analyze verify "$tmp/quantum-safety-telemetry.service"
    systemd-analyze security --offline=true --threshold=25 "$tmp/quantum-safety-telemetry.service" |
      tail -1 ;;
  deb)
    build=${2:?build directory}
    (cd "$build" && cpack -G DEB -B "$tmp" >/dev/null)
    deb=$(ls "$tmp"/quantum-safety-telemetry_*.deb)
    dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' | sort >"$tmp/contents"
    sort >"$tmp/expected" <<'LIST'
./etc/default/quantum-safety-telemetry
./lib/systemd/system/quantum-safety-telemetry.service
./usr/bin/quantum_safety_exporter
./usr/bin/quantum_safety_sim
./usr/share/doc/quantum-safety-telemetry/README.md
./usr/share/doc/quantum-safety-telemetry/alerts.md
./usr/share/doc/quantum-safety-telemetry/configuration.md
./usr/share/doc/quantum-safety-telemetry/dashboard.md
./usr/share/doc/quantum-safety-telemetry/deploy.md
./usr/share/doc/quantum-safety-telemetry/kernel.md
./usr/share/doc/quantum-safety-telemetry/metrics.md
./usr/share/doc/quantum-safety-telemetry/redis-contract.md
./usr/share/doc/quantum-safety-telemetry/runbook.md
./usr/share/quantum-safety-telemetry/alertmanager/alertmanager.yml
./usr/share/quantum-safety-telemetry/grafana/dashboards/quantum_safety_telemetry.json
./usr/share/quantum-safety-telemetry/grafana/provisioning/dashboards/quantum_safety.yml
./usr/share/quantum-safety-telemetry/grafana/provisioning/datasources/quantum_safety.yml
./usr/share/quantum-safety-telemetry/prometheus/prometheus.yml
./usr/share/quantum-safety-telemetry/prometheus/rules/quantum_safety.rules.yml
./usr/share/quantum-safety-telemetry/prometheus/rules/quantum_safety_meta.rules.yml
./usr/share/quantum-safety-telemetry/prometheus/probe_job.yml
./usr/share/quantum-safety-telemetry/prometheus/scrape_job.yml
./usr/share/quantum-safety-telemetry/redis/safety_kernel.lua
LIST
    diff "$tmp/expected" "$tmp/contents"
    dpkg-deb -f "$deb" Depends | grep -q libhiredis0.14
    dpkg-deb -I "$deb" conffiles | grep -qx /etc/default/quantum-safety-telemetry
    # The unit inside runs the binary inside.
    dpkg-deb -x "$deb" "$tmp/root"
    grep -q '^ExecStart=/usr/bin/quantum_safety_exporter ' "$tmp/root/lib/systemd/system/quantum-safety-telemetry.service"
    "$tmp/root/usr/bin/quantum_safety_exporter" --version
    echo "$(basename "$deb"): $(wc -l <"$tmp/contents") files as expected" ;;
  *)
    echo "usage: $0 mixin|rules|rule-tests|prometheus-config|alertmanager|systemd [BINARY]|deb BUILD" >&2
    exit 2 ;;
esac
