"""Writes Prometheus and Alertmanager configs for the demo and the end-to-end
test from the shipped ones. Allowed changes: scrape and evaluation intervals,
targets, receivers (all go to one webhook, or nowhere with "none") and
notification timings. Rule expressions, `for` durations, routes and
inhibitions are the shipped ones; this script fails if an expression would
change. Run with /usr/bin/python3 (Debian's python3-yaml).

usage: monitoring-configs.py OUT_DIR EXPORTER_TARGETS(comma) ALERTMANAGER_TARGET WEBHOOK_URL|none
"""
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    out, targets, alertmanager, webhook = sys.argv[1:5]
    with open(os.path.join(ROOT, "deploy/prometheus/rules/quantum_safety.rules.yml")) as f:
        rules = yaml.safe_load(f)
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    for g in rules["groups"]:
        g["interval"] = "1s"
    assert exprs == [r["expr"] for g in rules["groups"] for r in g["rules"]]
    with open(os.path.join(out, "rules.yml"), "w") as f:
        yaml.safe_dump(rules, f, sort_keys=False)

    with open(os.path.join(ROOT, "deploy/prometheus/prometheus.yml")) as f:
        prom = yaml.safe_load(f)
    prom["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    prom["rule_files"] = [os.path.join(out, "rules.yml")]
    prom["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] = [alertmanager]
    job = prom["scrape_configs"][0]
    assert job["job_name"] == "quantum_safety_telemetry"
    job["scrape_interval"] = "1s"
    job["scrape_timeout"] = "900ms"
    job["static_configs"][0]["targets"] = targets.split(",")
    with open(os.path.join(out, "prometheus.yml"), "w") as f:
        yaml.safe_dump(prom, f, sort_keys=False)

    with open(os.path.join(ROOT, "deploy/alertmanager/alertmanager.yml")) as f:
        am = yaml.safe_load(f)
    am["global"] = {"resolve_timeout": "5m"}
    for route in [am["route"]] + am["route"].get("routes", []):
        route["group_wait"] = "0s"
        route["group_interval"] = "1s"
        route["repeat_interval"] = "1h"
    am["receivers"] = [
        {"name": r["name"]} if webhook == "none" else
        {"name": r["name"],
         "webhook_configs": [{"url": f"{webhook}/{r['name']}", "send_resolved": True}]}
        for r in am["receivers"]
    ]
    with open(os.path.join(out, "alertmanager.yml"), "w") as f:
        yaml.safe_dump(am, f, sort_keys=False)


if __name__ == "__main__":
    main()
