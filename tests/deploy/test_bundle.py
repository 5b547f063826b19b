"""The monitoring bundle against the seed report and the docs: names, panel
titles and types, thresholds and mappings, annotations, runbook anchors.
Run by ctest with /usr/bin/python3 (Debian's python3-yaml)."""
import json
import os
import re
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


RULES = yaml.safe_load(read("deploy/prometheus/rules/quantum_safety.rules.yml"))
META = yaml.safe_load(read("deploy/prometheus/meta/quantum_safety_meta.rules.yml"))
OPERATOR = yaml.safe_load(read("deploy/kubernetes/prometheusrule.yaml"))
DASHBOARD = json.loads(read("deploy/grafana/dashboards/quantum_safety_telemetry.json"))
ALERTS = {r["alert"]: r for g in RULES["groups"] + META["groups"] for r in g["rules"] if "alert" in r}
PANELS = {p["title"]: p for p in DASHBOARD["panels"]}

# The seed report's alerts: name -> (severity, for).
SEED_ALERTS = {
    "QuantumSafeModeActive": ("critical", "1m"),
    "QuantumTelemetryExporterDown": ("critical", "2m"),
    "QuantumRedisConnectionLost": ("critical", "1m"),
    "QuantumSafetyFaultSpike": ("warning", "3m"),
}
# The seed report's 11 panels: title -> Grafana panel type.
SEED_PANELS = {
    "SAFE MODE Status": "stat",
    "Safe Mode TTL": "gauge",
    "Fault Stream Length": "stat",
    "Faults Last Hour": "stat",
    "Trade Intent Rate per Minute": "timeseries",
    "Trade Intent Stream Length": "timeseries",
    "Global Safety Rate": "stat",
    "Last Fault Details": "table",
    "Top 5 Symbols": "table",
    "Redis Connectivity": "stat",
    "Exporter Metrics": "timeseries",
}


class Rules(unittest.TestCase):
    def test_seed_alerts_keep_names_severities_and_for(self):
        group = next(g for g in RULES["groups"] if g["name"] == "quantum_safety")
        self.assertEqual(group["interval"], "30s")
        for name, (severity, for_) in SEED_ALERTS.items():
            self.assertIn(name, ALERTS)
            self.assertEqual(ALERTS[name]["labels"]["severity"], severity, name)
            self.assertEqual(ALERTS[name]["for"], for_, name)

    def test_seed_defects_are_fixed(self):
        spike = ALERTS["QuantumSafetyFaultSpike"]["expr"]
        self.assertIn("increase(quantum_safety_faults_by_reason_total", spike)
        self.assertIn('reason!="SAFE_MODE_ACTIVE"', spike)
        self.assertNotIn("faults_last_1h", spike)
        self.assertIn("absent(", ALERTS["QuantumTelemetryExporterDown"]["expr"])

    def test_operator_manifest_carries_the_same_groups(self):
        self.assertEqual((OPERATOR["apiVersion"], OPERATOR["kind"]),
                         ("monitoring.coreos.com/v1", "PrometheusRule"))
        self.assertEqual(OPERATOR["spec"]["groups"], RULES["groups"])

    def test_every_rule_is_per_kernel(self):
        for g in RULES["groups"]:
            for r in g["rules"]:
                expr = r["expr"]
                for agg in re.findall(r"\b(?:sum|max|min) by \(([^)]*)\)", expr):
                    self.assertTrue({"job", "instance"} <= {x.strip() for x in agg.split(",")},
                                    f"{r.get('alert') or r.get('record')} merges kernels: {expr}")
                self.assertNotRegex(expr, r"\b(?:sum|max|min|avg)\s*\(", "aggregation without by")

    def test_runbook_links_are_http(self):
        for name, rule in ALERTS.items():
            self.assertRegex(rule["annotations"]["runbook_url"], r"^https?://", name)

    def test_every_alert_is_annotated_and_has_a_runbook_section(self):
        runbook = read("docs/runbook.md")
        anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
                   for h in re.findall(r"^#+ (.+)$", runbook, re.M)}
        alerts_doc = read("docs/alerts.md")
        for name, rule in ALERTS.items():
            ann = rule["annotations"]
            for key in ("summary", "description", "runbook_url"):
                self.assertTrue(ann.get(key), f"{name} lacks {key}")
            anchor = ann["runbook_url"].split("#", 1)[1]
            self.assertIn(anchor, anchors, f"{name}: no '{anchor}' section in docs/runbook.md")
            self.assertIn(name, alerts_doc, f"{name} is not in docs/alerts.md")
            self.assertIn(rule["expr"], alerts_doc, f"{name}'s expression is not in docs/alerts.md")


class Dashboard(unittest.TestCase):
    def test_seed_panels_with_titles_and_types(self):
        for title, ptype in SEED_PANELS.items():
            self.assertIn(title, PANELS)
            self.assertEqual(PANELS[title]["type"], ptype, title)
        self.assertGreater(len(PANELS), len(SEED_PANELS), "drill-down panels are missing")

    def test_refresh_and_variables(self):
        self.assertEqual(DASHBOARD["refresh"], "10s")
        variables = DASHBOARD["templating"]["list"]
        var = variables[0]
        self.assertEqual((var["name"], var["type"], var["query"]),
                         ("datasource", "datasource", "prometheus"))
        self.assertEqual([v["name"] for v in variables], ["datasource", "job", "instance"])
        instance = variables[2]
        self.assertTrue(instance["multi"] and instance["includeAll"])
        self.assertEqual(DASHBOARD["__inputs"][0]["pluginId"], "prometheus")
        for p in DASHBOARD["panels"]:
            for t in p["targets"]:
                self.assertIn('instance=~"$instance"', t["expr"], p["title"])

    def test_every_panel_has_a_unit_and_times_are_dates(self):
        for p in DASHBOARD["panels"]:
            self.assertTrue(p["fieldConfig"]["defaults"].get("unit"), p["title"])
        last = PANELS["Last Fault Details"]
        self.assertEqual(last["fieldConfig"]["defaults"]["unit"], "dateTimeAsIso")
        self.assertIn("* 1000", last["targets"][1]["expr"])
        text = json.dumps(DASHBOARD)
        for uid in re.findall(r'"uid": "([^"]*)"', text):
            self.assertIn(uid, ("${datasource}", DASHBOARD["uid"]), "hard-coded datasource")

    def test_safe_mode_mapping_and_fault_thresholds(self):
        mapping = PANELS["SAFE MODE Status"]["fieldConfig"]["defaults"]["mappings"][0]["options"]
        self.assertEqual((mapping["0"]["text"], mapping["0"]["color"]), ("OFF", "green"))
        self.assertEqual((mapping["1"]["text"], mapping["1"]["color"]), ("ON", "red"))
        steps = PANELS["Faults Last Hour"]["fieldConfig"]["defaults"]["thresholds"]["steps"]
        self.assertEqual([(s["color"], s["value"]) for s in steps],
                         [("green", None), ("yellow", 10), ("red", 50)])
        redis = PANELS["Redis Connectivity"]["fieldConfig"]["defaults"]["mappings"][0]["options"]
        self.assertEqual((redis["1"]["color"], redis["0"]["color"]), ("green", "red"))

    def test_panels_are_documented(self):
        doc = read("docs/dashboard.md")
        for title in PANELS:
            self.assertIn(title, doc, f"panel '{title}' is not in docs/dashboard.md")

    def test_recorded_series_the_dashboard_uses_exist(self):
        records = {r["record"] for g in RULES["groups"] for r in g["rules"] if "record" in r}
        for p in DASHBOARD["panels"]:
            for t in p["targets"]:
                for name in re.findall(r"\b(kernel[a-z_]*:[a-z0-9_:]+)", t["expr"]):
                    self.assertIn(name, records, f"{p['title']} uses unknown {name}")


if __name__ == "__main__":
    unittest.main()
