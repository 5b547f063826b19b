// Recording rules: what the alerts and the dashboard read, aggregated per
// kernel (job and _config.kernelLabels), never across kernels.
local lib = import 'lib.libsonnet';

{
  local c = $._config,
  local by = lib.by(c),
  local rateFaults = 'quantum_safety_faults_by_reason_total' + lib.sel(c, 'reason!="SAFE_MODE_ACTIVE"'),

  // Names, so that alerts and panels cannot misspell them.
  records:: {
    intentsPerMinute: 'kernel:quantum_trade_intents:increase1m',
    faults5m: 'kernel:quantum_safety_faults:increase5m',
    faultsByReason: 'kernel_reason:quantum_safety_faults:rate5m',
    badWindow: 'kernel:quantum_safety_safe_mode:max_over_time5m',
    badRatio(window): 'kernel:quantum_safety_safe_mode_bad_windows:ratio_' + window,
    rateFaults5m: 'kernel:quantum_safety_rate_faults:increase5m',
    baselineMean: 'kernel:quantum_safety_rate_faults:increase5m:mean_same_time_7d',
    baselineStddev: 'kernel:quantum_safety_rate_faults:increase5m:stddev_same_time_7d',
  },
  burnWindows:: ['5m', '30m', '1h', '6h'],

  local r = self.records,
  local days = std.range(1, 7),
  local daysAgo(d) = '%s offset %dd' % [r.rateFaults5m, d],

  prometheusRules+:: {
    groups+: [{
      name: c.recordingGroup,
      interval: c.ruleInterval,
      rules: [
        {
          record: r.intentsPerMinute,
          expr: 'sum by (%s) (increase(quantum_trade_intents_total%s[1m]))' % [by, lib.sel(c)],
        },
        {
          record: r.faults5m,
          expr: 'sum by (%s) (increase(quantum_safety_faults_total%s[5m]))' % [by, lib.sel(c)],
        },
        {
          record: r.faultsByReason,
          expr: 'sum by (%s) (rate(quantum_safety_faults_by_reason_total%s[5m]))'
                % [lib.by(c, ['reason']), lib.sel(c)],
        },
        // The SLI: a 5-minute window is bad if SAFE MODE was on at any scrape in it.
        {
          record: r.badWindow,
          expr: 'max by (%s) (max_over_time(quantum_safety_safe_mode%s[5m]))' % [by, lib.sel(c)],
        },
      ] + [
        // Bad windows over the number of evaluations the whole window holds,
        // not over the samples present: three minutes after a rollout, three
        // bad minutes are 5% of the hour, not 100%.
        {
          record: r.badRatio(w),
          expr: 'clamp_max(sum_over_time(%s[%s]) / %d, 1)'
                % [r.badWindow, w, lib.seconds(w) / lib.seconds(c.ruleInterval)],
        }
        for w in $.burnWindows
      ] + [
        // Anomaly baseline: rate-limit faults in the last 5 minutes, and the
        // mean and deviation of the same 5 minutes of the day over the last 7
        // days (so a daily pattern, a market open say, is its own baseline).
        {
          record: r.rateFaults5m,
          expr: 'sum by (%s) (increase(%s[5m]))' % [by, rateFaults],
        },
        {
          record: r.baselineMean,
          expr: '(%s) / 7' % std.join(' + ', [daysAgo(d) for d in days]),
        },
        {
          record: r.baselineStddev,
          expr: 'sqrt(clamp_min((%s) / 7 - %s ^ 2, 0))'
                % [std.join(' + ', ['(%s) ^ 2' % daysAgo(d) for d in days]), r.baselineMean],
        },
      ],
    }],
  },
}
