"""Writes Prometheus and Alertmanager configs for the demo and the end-to-end
test from the shipped ones. Allowed changes: scrape and evaluation intervals,
targets, receivers (all go to one webhook, or nowhere with "none") and
notification timings. The rules are the mixin rendered with a 1 s interval;
this script fails if any expression but the interval-dependent SLO ratios,
any `for` or any label differs from the shipped rules. Routes and
inhibitions are the shipped ones. Run with /usr/bin/python3 (Debian's python3-yaml).

usage: monitoring-configs.py OUT_DIR EXPORTER_TARGETS(comma) ALERTMANAGER_TARGET WEBHOOK_URL|none

QST_SHIPPED_RULES names another shipped rules file to compare with (the test
that shows the comparison catches a drifted expression uses it).
"""
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rules_every_second(out):
    """The mixin rendered with a 1 s rule interval. The SLO ratios divide by
    the evaluations a window holds, so they are rendered, not edited; every
    other expression must equal the shipped one."""
    mixin = os.path.join(out, "mixin")
    subprocess.run([os.path.join(ROOT, "deploy/mixin/render.sh"), "--out", mixin,
                    "--config", '{ruleInterval: "1s"}'], check=True)
    with open(os.path.join(mixin, "quantum_safety.rules.yml")) as f:
        fast = yaml.safe_load(f)
    shipped_path = os.environ.get(
        "QST_SHIPPED_RULES", os.path.join(ROOT, "deploy/prometheus/rules/quantum_safety.rules.yml"))
    with open(shipped_path) as f:
        shipped = yaml.safe_load(f)
    pairs = list(zip([r for g in fast["groups"] for r in g["rules"]],
                     [r for g in shipped["groups"] for r in g["rules"]]))
    if len(pairs) != sum(len(g["rules"]) for g in shipped["groups"]):
        sys.exit("monitoring-configs: the rendered and the shipped rules differ in number")
    for a, b in pairs:
        name = a.get("alert") or a.get("record")
        if name != (b.get("alert") or b.get("record")):
            sys.exit(f"monitoring-configs: rule {name} is not where the shipped file has it")
        if a.get("for") != b.get("for") or a.get("labels") != b.get("labels"):
            sys.exit(f"monitoring-configs: {name}: for or labels differ from the shipped rule")
        if "_bad_windows:ratio_" not in name and a["expr"] != b["expr"]:
            sys.exit(f"monitoring-configs: {name}: {a['expr']} != shipped {b['expr']}")
    return fast


def main():
    out, targets, alertmanager, webhook = sys.argv[1:5]
    rules = rules_every_second(out)
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
