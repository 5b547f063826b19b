// promtool unit tests of the mixin's rules, rendered for one _config:
//   jsonnet -S -J deploy/mixin --tla-str rules=R.yml --tla-str meta=M.yml \
//     --tla-code 'config={...}' --tla-code 'kernels=[{instance: "a:9105"}, ...]' rules_test.jsonnet
// `kernels` gives two kernels' label values (every label in kernelLabels);
// the job is parsed from the selector. scripts/check-bundle.sh runs this for
// the default rendering and for a kube-prometheus one.
function(rules, meta, config={}, kernels=[{ instance: 'h:9105' }, { instance: 'h2:9105' }])
  local mixin = (import 'mixin.libsonnet') + { _config+:: config };
  local c = mixin._config;
  local job = std.split(std.split(c.selector, '"')[1], '"')[0];
  local a = { job: job } + kernels[0];
  local b = { job: job } + kernels[1];
  local name(k) = std.join('/', [k[l] for l in c.kernelLabels]);
  local series(metric, k, extra={}) =
    local l = k + extra;
    metric + '{' + std.join(',', ['%s="%s"' % [f, l[f]] for f in std.objectFields(l)]) + '}';
  local summaries = {
    [r.alert]: r.annotations.summary
    for r in mixin.prometheusAlerts.groups[0].rules + mixin.prometheusMetaAlerts.groups[0].rules
  };
  local expAlert(alert, labels, severity, description) = {
    exp_labels: labels + { severity: severity },
    exp_annotations: {
      summary: summaries[alert],
      description: description,
      runbook_url: c.runbookURLBase + '#' + std.asciiLower(alert),
    },
  };
  local alerts(alert, at, exp) = { eval_time: at, alertname: alert, exp_alerts: exp };
  local state(alert, k, at, s, severity='critical') = {
    expr: 'ALERTS{alertname="%s"}' % alert,
    eval_time: at,
    exp_samples: if s == null then [] else [{
      labels: series('ALERTS', { alertname: alert, alertstate: s, severity: severity } + k),
      value: 1,
    }],
  };
  local reason(r) = { reason: r };
  local spike = 'QuantumSafetyFaultSpike';
  local fast = 'QuantumSafeModeBudgetBurnFast';
  local slow = 'QuantumSafeModeBudgetBurnSlow';
  local anomaly = 'QuantumSafetyFaultAnomaly';

  local tests = [
    // --- QuantumSafeModeActive: == 1 for 1m ---------------------------------
    {
      interval: '30s',
      input_series: [{ series: series('quantum_safety_safe_mode', a), values: '0 0 1 1 1 1 0 0' }],
      alert_rule_test: [
        alerts('QuantumSafeModeActive', '1m', []),  // just turned on: pending
        alerts('QuantumSafeModeActive', '90s', []),
        alerts('QuantumSafeModeActive', '2m', [expAlert('QuantumSafeModeActive', a, 'critical',
          'Safety kernel activated SAFE MODE on %s. All trading halted.' % name(a))]),
        alerts('QuantumSafeModeActive', '3m', []),  // cleared: resolved
      ],
    },
    // --- QuantumTelemetryExporterDown: up == 0 or absent, for 2m -------------
    {
      interval: '30s',
      input_series: [{ series: series('up', a), values: '1 1 0 0 0 0 0 0' }],
      alert_rule_test: [
        alerts('QuantumTelemetryExporterDown', '150s', []),
        alerts('QuantumTelemetryExporterDown', '3m', [expAlert('QuantumTelemetryExporterDown', a, 'critical',
          'Prometheus cannot scrape the safety telemetry exporter (%s). SAFE MODE and faults are unobserved.'
          % a.instance)]),
      ],
    },
    {
      interval: '30s',
      // The target vanished from service discovery: only another job is left.
      input_series: [{ series: series('up', { job: 'some_other_job', instance: 'o:1' }), values: '1x10' }],
      alert_rule_test: [
        alerts('QuantumTelemetryExporterDown', '90s', []),
        alerts('QuantumTelemetryExporterDown', '2m', [expAlert('QuantumTelemetryExporterDown', { job: job }, 'critical',
          'Prometheus cannot scrape the safety telemetry exporter (no target matching %s). ' % c.selector
          + 'SAFE MODE and faults are unobserved.')]),
      ],
    },
    {
      interval: '30s',
      input_series: [{ series: series('up', a), values: '1x20' }],
      alert_rule_test: [alerts('QuantumTelemetryExporterDown', '10m', [])],
    },
    // --- QuantumRedisConnectionLost: == 0 for 1m ----------------------------
    {
      interval: '30s',
      input_series: [{ series: series('quantum_safety_redis_up', a), values: '1 0 0 0 1 1' }],
      alert_rule_test: [
        alerts('QuantumRedisConnectionLost', '60s', []),
        alerts('QuantumRedisConnectionLost', '90s', [expAlert('QuantumRedisConnectionLost', a, 'critical',
          "The safety telemetry exporter for %s cannot read Redis. The kernel's state is unknown." % name(a))]),
        alerts('QuantumRedisConnectionLost', '2m', []),
      ],
    },
    // --- QuantumSafetyFaultSpike: > 5 rate-limit faults in 5m, for 3m --------
    {
      interval: '30s',
      input_series: [{  // 2 faults every 30 s: 20 per 5m
        series: series('quantum_safety_faults_by_reason_total', a, reason('GLOBAL_RATE_EXCEEDED')),
        values: '0+2x30',
      }],
      alert_rule_test: [
        alerts(spike, '3m', []),
        alerts(spike, '5m', [expAlert(spike, a, 'warning',
          '20 new rate-limit faults in the last 5m on %s. Check for pattern violations.' % name(a))]),
      ],
    },
    {
      interval: '1m',
      input_series: [{  // one fault a minute: 5 per 5m is not a spike
        series: series('quantum_safety_faults_by_reason_total', a, reason('SYMBOL_RATE_EXCEEDED')),
        values: '0+1x30',
      }],
      alert_rule_test: [alerts(spike, '20m', [])],
    },
    {
      interval: '30s',
      // Exporter restarts as this exporter restarts them: the kernel's exact
      // count is unchanged across a 1-minute gap; the exporter's own count
      // starts at 0. Neither is a spike (the 0.1 exporter restarted at the
      // hour's count, and increase() read that as 30 new faults).
      input_series: [
        {
          series: series('quantum_safety_faults_by_reason_total', a, reason('GLOBAL_RATE_EXCEEDED')),
          values: '500x4 _x2 500x4 _ 500x10',
        },
        {
          series: series('quantum_safety_faults_by_reason_total', b, reason('GLOBAL_RATE_EXCEEDED')),
          values: '0 0 1 1 _x2 0x4 _ 0 0 1 1 1 1 1 1 1 1',
        },
      ],
      alert_rule_test: [alerts(spike, '4m', []), alerts(spike, '9m', [])],
      promql_expr_test: [{
        expr: 'sum by (instance) (increase(quantum_safety_faults_by_reason_total[10m]))',
        eval_time: '9m',
        exp_samples: [
          { labels: '{instance="%s"}' % a.instance, value: 0 },
          // the 2 real faults across both restarts, nothing more
          { labels: '{instance="%s"}' % b.instance, value: 2 },
        ],
      }],
    },
    {
      interval: '30s',
      input_series: [  // SAFE MODE rejecting everything: its own faults are no spike
        {
          series: series('quantum_safety_faults_by_reason_total', a, reason('SAFE_MODE_ACTIVE')),
          values: '0+10x30',
        },
        {
          series: series('quantum_safety_faults_by_reason_total', a, reason('GLOBAL_RATE_EXCEEDED')),
          values: '7x30',
        },
      ],
      alert_rule_test: [alerts(spike, '12m', [])],
    },
    // --- SLO burn rates ---------------------------------------------------------
    {
      interval: '15s',
      // A rollout: Prometheus starts, and 3 minutes in one 12-second SAFE MODE
      // (one scrape). The 0.1 rules read that as 100% of the hour and paged.
      input_series: [{ series: series('quantum_safety_safe_mode', a), values: '0x11 1 0x500' }],
      promql_expr_test: [state(fast, a, t, null) for t in ['4m', '6m', '8m', '10m', '15m', '30m']] + [
        state(slow, a, t, null, 'warning') for t in ['10m', '30m', '60m']
      ] + [{
        expr: 'kernel:quantum_safety_safe_mode_bad_windows:ratio_1h',
        eval_time: '8m',  // 11 bad evaluations (3m..8m) of the hour's 120
        exp_samples: [{ labels: series('kernel:quantum_safety_safe_mode_bad_windows:ratio_1h', a),
                        value: 11 / 120 }],
      }],
    },
    {
      interval: '30s',
      // Sustained SAFE MODE from the start: the hour ratio passes 14.4% after
      // 18 bad evaluations (8.5m); with for: 2m it pages at 10.5m.
      input_series: [{ series: series('quantum_safety_safe_mode', a), values: '1x100' }],
      promql_expr_test: [
        state(fast, a, '8m', null),
        state(fast, a, '9m', 'pending'),
        state(fast, a, '10m', 'pending'),
        state(fast, a, '11m', 'firing'),
        // The 6-hour ratio passes 6% after 44 bad evaluations (21.5m), plus for: 15m.
        state(slow, a, '36m', 'pending', 'warning'),
        state(slow, a, '37m', 'firing', 'warning'),
      ],
    },
    {
      interval: '30s',
      // Off for an hour, then on: the edges of the fast burn's for: 2m.
      input_series: [{ series: series('quantum_safety_safe_mode', a), values: '0x119 1x40' }],
      promql_expr_test: [
        state(fast, a, '68m', null),
        state(fast, a, '70m', 'pending'),
        state(fast, a, '73m', 'firing'),
      ],
    },
    {
      interval: '30s',
      // 15 minutes of SAFE MODE that ended 10 minutes ago: the 1h ratio is
      // high, the 5m one is 0, so no page.
      input_series: [{ series: series('quantum_safety_safe_mode', a), values: '0x239 1x30 0x40' }],
      alert_rule_test: [alerts(fast, '150m', [])],
    },
    {
      interval: '30s',
      // The description's live value: a whole hour of SAFE MODE is 100%
      // whichever group Prometheus evaluates first in a step (before the hour
      // is full, that order moves the value by one evaluation).
      input_series: [{ series: series('quantum_safety_safe_mode', a), values: '1x200' }],
      alert_rule_test: [
        alerts(fast, '90m', [expAlert(fast, a, 'critical',
          '100%% of 5-minute windows in the last hour had SAFE MODE on for %s; ' % name(a)
          + 'at 14.4x burn the 30-day budget of 1% lasts 2 days.')]),
      ],
    },
    // --- Two kernels in one job: one in SAFE MODE for 10 minutes -------------
    {
      interval: '30s',
      input_series: [
        { series: series('quantum_safety_safe_mode', a), values: '1x20 0x40' },
        { series: series('quantum_safety_safe_mode', b), values: '0x60' },
        { series: series('up', a), values: '1x60' },
        { series: series('up', b), values: '1x60' },
      ],
      promql_expr_test: [
        state('QuantumSafeModeActive', a, '5m', 'firing'),
        state(fast, a, '14m', 'firing'),
        {
          expr: 'ALERTS{alertstate="firing"}',
          eval_time: '14m',
          // SAFE MODE ended at 10m (resolved); the budget alert is still on.
          exp_samples: [
            { labels: series('ALERTS', { alertname: fast, alertstate: 'firing', severity: 'critical' } + a), value: 1 },
          ],
        },
        {
          expr: 'kernel:quantum_safety_safe_mode_bad_windows:ratio_1h',
          eval_time: '14m',  // a: 29 bad evaluations (0..14m) of 120; b: none
          exp_samples: [
            { labels: series('kernel:quantum_safety_safe_mode_bad_windows:ratio_1h', a), value: 29 / 120 },
            { labels: series('kernel:quantum_safety_safe_mode_bad_windows:ratio_1h', b), value: 0 },
          ],
        },
      ],
    },
  ];

  // --- Anomaly: against the same hour on the last 7 days (8 days of data, so
  // evaluated every minute rather than every 30 s) ---------------------------
  // Per-minute counter values: `perHour(h)` faults per 5 minutes in hour h.
  local minutes(hours, perHour) = std.join(' ', [
    local start = std.foldl(function(sum, j) sum + perHour(j) * 12, std.range(0, h - 1), 0);
    '%s+%sx59' % [std.toString(start), std.toString(perHour(h) / 5)]
    for h in std.range(0, hours - 1)
  ]);
  local anomalyTests = [
    {
      interval: '1m',
      // 8 days at one rate-limit fault per 5 minutes, then three per 5
      // minutes: under the fixed threshold (5), far above the baseline.
      input_series: [{
        series: series('quantum_safety_faults_by_reason_total', a, reason('SYMBOL_RATE_EXCEEDED')),
        values: minutes(8 * 24 + 3, function(h) if h < 8 * 24 then 1 else 3),
      }],
      alert_rule_test: [
        alerts(anomaly, '8d', []),
        alerts(spike, '8d1h', []),
        alerts(anomaly, '8d1h', [expAlert(anomaly, a, 'warning',
          'Rate-limit faults on %s are 4.0 standard deviations above the same time of day over the last 7 days.'
          % name(a))]),
      ],
    },
    {
      interval: '1m',
      // A daily busy hour (6 faults per 5 minutes at 03:00, 1 otherwise):
      // the fixed threshold fires, the anomaly does not, since every day
      // looks the same at that time. A quiet kernel that stays quiet: neither.
      input_series: [
        {
          series: series('quantum_safety_faults_by_reason_total', a, reason('SYMBOL_RATE_EXCEEDED')),
          values: minutes(8 * 24 + 4, function(h) if h % 24 == 3 then 6 else 1),
        },
        {
          series: series('quantum_safety_faults_by_reason_total', b, reason('SYMBOL_RATE_EXCEEDED')),
          values: minutes(8 * 24 + 4, function(h) 1),
        },
      ],
      alert_rule_test: [
        alerts(anomaly, '8d3h30m', []),
        alerts(spike, '8d3h30m', [expAlert(spike, a, 'warning',
          '6 new rate-limit faults in the last 5m on %s. Check for pattern violations.' % name(a))]),
      ],
    },
  ];

  local recordingTests = [
    // --- recording rules ---------------------------------------------------------
    {
      interval: '30s',
      input_series: [
        { series: series('quantum_trade_intents_total', a), values: '0+30x20' },  // 60 a minute
        { series: series('quantum_safety_faults_by_reason_total', a, reason('GLOBAL_RATE_EXCEEDED')), values: '0+3x20' },
      ],
      promql_expr_test: [
        {
          expr: 'kernel:quantum_trade_intents:increase1m',
          eval_time: '5m',
          exp_samples: [{ labels: series('kernel:quantum_trade_intents:increase1m', a), value: 60 }],
        },
        {
          expr: 'kernel_reason:quantum_safety_faults:rate5m * 60',
          eval_time: '5m',
          exp_samples: [{ labels: series('', a, reason('GLOBAL_RATE_EXCEEDED')), value: 6 }],
        },
      ],
    },
  ];

  // --- The meta-alert: the exporter is scraped, the rules are not evaluated ---
  local group = 'rule_group="/etc/prometheus/rules/quantum_safety.rules.yml;%s"' % c.alertGroup;
  local metaTests = [
    {
      interval: '1m',
      input_series: [
        { series: series('up', a), values: '1x30' },
        // Evaluated every 30 s for 10 minutes, then the rule file is gone.
        {
          series: 'prometheus_rule_group_last_evaluation_timestamp_seconds{job="prometheus",%s}' % group,
          values: '0+60x10',
        },
      ],
      alert_rule_test: [
        alerts('QuantumSafetyRulesNotEvaluated', '10m', []),
        alerts('QuantumSafetyRulesNotEvaluated', '16m', []),  // stale 6m: pending
        alerts('QuantumSafetyRulesNotEvaluated', '21m', [expAlert('QuantumSafetyRulesNotEvaluated', {}, 'critical',
          'The safety telemetry exporter is scraped, but no Prometheus has evaluated the rule group '
          + '%s in the last %s: SAFE MODE, exporter-down and every other safety alert cannot fire.'
          % [c.alertGroup, c.metaStaleness])]),
      ],
    },
    {
      interval: '1m',
      input_series: [{ series: series('up', a), values: '0x30' }],  // not scraped: ExporterDown's case
      alert_rule_test: [alerts('QuantumSafetyRulesNotEvaluated', '20m', [])],
    },
  ];

  local yaml(v) = std.manifestYamlDoc(v, indent_array_in_object=true, quote_keys=false) + '\n';
  {
    'rules_test.yml': yaml({ rule_files: [rules], evaluation_interval: c.ruleInterval, tests: tests + recordingTests }),
    'anomaly_test.yml': yaml({ rule_files: [rules], evaluation_interval: '1m', tests: anomalyTests }),
    'meta_test.yml': yaml({ rule_files: [meta], evaluation_interval: c.ruleInterval, tests: metaTests }),
  }
