// Renders the mixin for plain Prometheus, Grafana and the prometheus-operator:
//   jsonnet -S -m OUT_DIR [--tla-code 'config={...}'] render.jsonnet
// `config` overrides _config (config.libsonnet). deploy/mixin/render.sh calls this.
function(config={})
  local mixin = (import 'mixin.libsonnet') + { _config+:: config };
  local header = '# Rendered from deploy/mixin (jsonnet): edit the mixin, then run deploy/mixin/render.sh.\n';
  local yaml(v) = header + std.manifestYamlDoc(v, indent_array_in_object=true, quote_keys=false) + '\n';
  {
    'quantum_safety.rules.yml': yaml({
      groups: mixin.prometheusAlerts.groups + mixin.prometheusRules.groups,
    }),
    'quantum_safety_meta.rules.yml': yaml(mixin.prometheusMetaAlerts),
    'quantum_safety_telemetry.json':
      std.manifestJsonEx(mixin.grafanaDashboards['quantum_safety_telemetry.json'], '  ') + '\n',
    'prometheusrule.yaml': yaml({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: 'quantum-safety-telemetry',
        labels: {
          'app.kubernetes.io/name': 'quantum-safety-telemetry',
          'app.kubernetes.io/component': 'alert-rules',
          prometheus: 'k8s',
          role: 'alert-rules',
        },
      },
      spec: { groups: mixin.prometheusAlerts.groups + mixin.prometheusRules.groups },
    }),
  }
