// The quantum-safety-telemetry monitoring mixin: alerts, recording rules and
// the Grafana dashboard from one _config (config.libsonnet).
//   kube-prometheus: add it to your mixins, overriding _config.selector;
//   plain Prometheus: deploy/mixin/render.sh writes the rule files.
(import 'config.libsonnet')
+ (import 'rules.libsonnet')
+ (import 'alerts.libsonnet')
+ (import 'dashboards.libsonnet')
