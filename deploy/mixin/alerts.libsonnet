// Alerts: the seed's four (names, severities and `for` kept, defects fixed),
// the SLO burn rates and the anomaly, each per kernel.
local lib = import 'lib.libsonnet';

{
  local c = $._config,
  local by = lib.by(c),
  local r = $.records,
  local kernel = lib.kernelText(c),
  local budget = 1 - c.sloTarget,
  local pct(x) = '%g%%' % (std.floor(x * 10000 + 0.5) / 100),

  local alert(name, expr, forDuration, severity, summary, description) = {
    alert: name,
    expr: expr,
    'for': forDuration,
    labels: { severity: severity },
    annotations: {
      summary: summary,
      description: description,
      runbook_url: lib.runbook(c, name),
    },
  },

  prometheusAlerts+:: {
    groups+: [{
      name: c.alertGroup,
      interval: c.ruleInterval,
      rules: [
        alert('QuantumSafeModeActive',
              'max by (%s) (quantum_safety_safe_mode%s) == 1' % [by, lib.sel(c)],
              '1m', 'critical', 'Quantum Trader in SAFE MODE',
              'Safety kernel activated SAFE MODE on %s. All trading halted.' % kernel),
        // absent() catches a target that vanished from discovery, which
        // `up == 0` cannot see.
        alert('QuantumTelemetryExporterDown',
              'up%s == 0 or absent(up%s)' % [lib.sel(c), lib.sel(c)],
              '2m', 'critical', 'Safety telemetry exporter down',
              'Prometheus cannot scrape the safety telemetry exporter ({{ if $labels.instance }}'
              + '{{ $labels.instance }}{{ else }}no target matching %s{{ end }}). ' % c.selector
              + 'SAFE MODE and faults are unobserved.'),
        alert('QuantumRedisConnectionLost',
              'min by (%s) (quantum_safety_redis_up%s) == 0' % [by, lib.sel(c)],
              '1m', 'critical', 'Exporter lost Redis connection',
              'The safety telemetry exporter for %s cannot read Redis. ' % kernel
              + "The kernel's state is unknown."),
        // A counter, not the seed's increase() on a gauge; SAFE_MODE_ACTIVE
        // faults are SAFE MODE itself, paged already.
        alert('QuantumSafetyFaultSpike',
              'sum by (%s) (increase(quantum_safety_faults_by_reason_total%s[%s])) > %d'
              % [by, lib.sel(c, 'reason!="SAFE_MODE_ACTIVE"'), c.faultSpikeWindow,
                 c.faultSpikeThreshold],
              '3m', 'warning', 'Safety fault rate spike detected',
              '{{ $value | printf "%%.0f" }} new rate-limit faults in the last %s on %s. '
              % [c.faultSpikeWindow, kernel] + 'Check for pattern violations.'),
        // Multiwindow, multi-burn-rate (SRE workbook): fast burn pages, slow
        // burn opens a ticket.
        alert('QuantumSafeModeBudgetBurnFast',
              '%s > %g and %s > %g' % [r.badRatio('1h'), 14.4 * budget, r.badRatio('5m'), 14.4 * budget],
              '2m', 'critical', 'SAFE MODE is eating the availability budget fast',
              '{{ $value | humanizePercentage }} of 5-minute windows in the last hour had SAFE '
              + 'MODE on for %s; at 14.4x burn the 30-day budget of %s lasts 2 days.' % [kernel, pct(budget)]),
        alert('QuantumSafeModeBudgetBurnSlow',
              '%s > %g and %s > %g' % [r.badRatio('6h'), 6 * budget, r.badRatio('30m'), 6 * budget],
              '15m', 'warning', 'SAFE MODE is eating the availability budget',
              '{{ $value | humanizePercentage }} of 5-minute windows in the last 6 hours had SAFE '
              + 'MODE on for %s; at 6x burn the 30-day budget of %s lasts 5 days.' % [kernel, pct(budget)]),
        // Faults far above this kernel's own usual level at this hour: a quiet
        // kernel whose faults triple is noticed below the fixed threshold.
        alert('QuantumSafetyFaultAnomaly',
              '(%s - %s) / clamp_min(%s, %g) > %g and %s > %g'
              % [r.rateFaults5m, r.baselineMean, r.baselineStddev, c.anomalyStddevFloor,
                 c.anomalyZScore, r.rateFaults5m, c.anomalyMinFaults],
              c.anomalyFor, 'warning', 'Safety faults far above their usual level',
              'Rate-limit faults on %s are {{ $value | printf "%%.1f" }} standard deviations ' % kernel
              + 'above the same time of day over the last 7 days.'),
      ],
    }],
  },

  // For Prometheus' own self-monitoring: fires while the exporter is scraped
  // but the quantum_safety group is not being evaluated (its rule file was
  // removed or fails to load), when every alert above is silently gone.
  prometheusMetaAlerts+:: {
    groups+: [{
      name: c.metaGroup,
      interval: c.ruleInterval,
      rules: [
        alert('QuantumSafetyRulesNotEvaluated',
              'count(up%s == 1) > 0 unless on () ' % lib.sel(c)
              + 'count(time() - prometheus_rule_group_last_evaluation_timestamp_seconds'
              + '{rule_group=~".+;%s"} < %d) > 0' % [c.alertGroup, lib.seconds(c.metaStaleness)],
              '5m', 'critical', 'Safety alert rules are not being evaluated',
              'The safety telemetry exporter is scraped, but no Prometheus has evaluated the '
              + 'rule group %s in the last %s: SAFE MODE, exporter-down and ' % [c.alertGroup, c.metaStaleness]
              + 'every other safety alert cannot fire.'),
      ],
    }],
  },
}
