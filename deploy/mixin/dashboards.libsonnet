// The Grafana dashboard: the seed's 11 panels and the drill-downs, with a
// variable for the data source, the job and each kernel label.
local lib = import 'lib.libsonnet';

{
  local c = $._config,
  local r = $.records,
  local by = lib.by(c),
  local legend = std.join(' ', ['{{%s}}' % l for l in c.kernelLabels]),
  local ds = { type: 'prometheus', uid: '${datasource}' },
  local varMatchers = std.join(', ', ['%s=~"$%s"' % [l, l] for l in std.uniq(['job'] + c.kernelLabels)]),
  // The exporter's series, and recorded ones (which carry only job and the kernel labels).
  local m = lib.sel(c, varMatchers),
  local rm = '{' + varMatchers + '}',

  local target(expr, legendFormat='', instant=false, format='time_series', ref='A') = {
    datasource: ds,
    expr: expr,
    refId: ref,
    legendFormat: legendFormat,
  } + (if instant then { instant: true, range: false, format: format } else {}),

  local thresholds(steps) = {
    mode: 'absolute',
    steps: [{ color: s[0], value: s[1] } for s in steps],
  },
  local faultSteps = thresholds([['green', null], ['yellow', c.faultsHourYellow], ['red', c.faultsHourRed]]),
  local statOptions = {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    colorMode: 'background',
    graphMode: 'none',
    textMode: 'auto',
  },
  local barOptions = {
    orientation: 'horizontal',
    displayMode: 'gradient',
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
  },

  local panel(id, title, type, grid, targets, unit, defaults={}, options={}, transformations=[],
              description='') = {
    id: id,
    title: title,
    type: type,
    datasource: ds,
    gridPos: { x: grid[0], y: grid[1], w: grid[2], h: grid[3] },
    targets: targets,
    description: description,
    fieldConfig: { defaults: { unit: unit } + defaults, overrides: [] },
    options: options,
  } + (if transformations != [] then { transformations: transformations } else {}),

  local perKernel(agg, metric) = '%s by (%s) (%s%s)' % [agg, by, metric, m],

  local variable(name, label, query) = {
    name: name,
    label: label,
    type: 'query',
    datasource: ds,
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: query,
    refresh: 2,
    sort: 1,
    multi: true,
    includeAll: true,
    allValue: '.+',
    current: {},
    hide: 0,
  },
  // Each variable narrows the next: job, then the kernel labels in order.
  local chain = std.uniq(['job'] + c.kernelLabels),
  local variables = [
    variable(chain[i], chain[i],
             'label_values(quantum_safety_redis_up%s, %s)'
             % [lib.sel(c, std.join(', ', ['%s=~"$%s"' % [l, l] for l in chain[0:i]])), chain[i]])
    for i in std.range(0, std.length(chain) - 1)
  ],

  local panels = [
    // The seed's 11 panels: same titles, types, thresholds and mappings.
    panel(1, 'SAFE MODE Status', 'stat', [0, 0, 6, 5],
          [target(perKernel('max', 'quantum_safety_safe_mode'), legend)], 'none',
          {
            mappings: [{ type: 'value', options: {
              '0': { text: 'OFF', color: 'green', index: 0 },
              '1': { text: 'ON', color: 'red', index: 1 },
            } }],
            thresholds: thresholds([['green', null], ['red', 1]]),
            color: { mode: 'thresholds' },
          },
          statOptions, description='quantum:safety:safe_mode: ON halts all trading.'),
    panel(2, 'Safe Mode TTL', 'gauge', [6, 0, 6, 5],
          [target(perKernel('max', 'quantum_safety_safe_mode_ttl_seconds'), legend)], 's',
          { min: -1, thresholds: thresholds([['green', null], ['orange', 0]]) },
          { reduceOptions: statOptions.reduceOptions },
          description='Seconds until SAFE MODE clears by itself; -1: off or no expiry.'),
    panel(3, 'Fault Stream Length', 'stat', [12, 0, 6, 5],
          [target(perKernel('max', 'quantum_safety_fault_stream_length'), legend)], 'short',
          { thresholds: thresholds([['blue', null]]) }, statOptions,
          description='Entries in quantum:stream:safety.fault.'),
    panel(4, 'Faults Last Hour', 'stat', [18, 0, 6, 5],
          [target(perKernel('max', 'quantum_safety_faults_last_1h'), legend)], 'short',
          { thresholds: faultSteps }, statOptions),
    panel(5, 'Trade Intent Rate per Minute', 'timeseries', [0, 5, 12, 8],
          [target(r.intentsPerMinute + rm, legend)], 'short', { min: 0 },
          description='Intents per minute (increase over 1m).'),
    panel(6, 'Trade Intent Stream Length', 'timeseries', [12, 5, 12, 8],
          [target(perKernel('max', 'quantum_trade_intent_stream_length'), legend)], 'short',
          { min: 0 }),
    panel(7, 'Global Safety Rate', 'stat', [0, 13, 6, 5],
          [target(perKernel('max', 'quantum_safety_rate_global_current_window'), legend)], 'short',
          { thresholds: thresholds([['blue', null]]) }, statOptions,
          description='Intents in the current rate window (all symbols).'),
    // The only number in the table is the newest fault's time (ms): a date.
    panel(8, 'Last Fault Details', 'table', [6, 13, 10, 5],
          [
            target('quantum_safety_last_fault_info' + m, instant=true, format='table', ref='A'),
            target('quantum_safety_last_fault_timestamp%s * 1000' % m, instant=true, format='table', ref='B'),
          ],
          'dateTimeAsIso', {}, { showHeader: true },
          [
            { id: 'merge', options: {} },
            { id: 'organize', options: {
              excludeByName: { Time: true, 'Value #A': true, __name__: true },
              renameByName: { 'Value #B': 'time' },
            } },
          ],
          description='The newest fault of each kernel; time in UTC.'),
    panel(9, 'Top 5 Symbols', 'table', [16, 13, 8, 5],
          [target('quantum_safety_rate_symbol_top' + m, instant=true, format='table')], 'short',
          {}, { showHeader: true, sortBy: [{ displayName: 'rank', desc: false }] },
          [{ id: 'organize', options: {
            excludeByName: { Time: true, __name__: true },
            renameByName: { Value: 'count' },
          } }]),
    panel(10, 'Redis Connectivity', 'stat', [0, 18, 6, 5],
          [target(perKernel('min', 'quantum_safety_redis_up'), legend)], 'none',
          {
            mappings: [{ type: 'value', options: {
              '0': { text: 'DOWN', color: 'red', index: 0 },
              '1': { text: 'UP', color: 'green', index: 1 },
            } }],
            thresholds: thresholds([['red', null], ['green', 1]]),
          },
          statOptions),
    panel(11, 'Exporter Metrics', 'timeseries', [6, 18, 18, 5],
          [
            target('sum by (%s) (rate(quantum_safety_exporter_scrapes_total%s[5m]))' % [by, m],
                   'scrapes/s ' + legend, ref='A'),
            target('sum by (%s) (rate(quantum_safety_exporter_errors_total%s[5m]))' % [by, m],
                   'errors/s ' + legend, ref='B'),
          ],
          'reqps', { min: 0 }),
    // Drill-downs beyond the seed.
    panel(12, 'Fault Rate by Reason', 'timeseries', [0, 23, 12, 8],
          [target('%s%s * 60' % [r.faultsByReason, rm], '{{reason}} ' + legend)], 'short',
          { min: 0, custom: { stacking: { mode: 'normal' } } },
          description='Faults per minute by reason, 5-minute average.'),
    panel(13, 'Faults Last Hour by Reason', 'bargauge', [12, 23, 12, 8],
          [target('sum by (reason) (quantum_safety_faults_last_1h_by_reason%s)' % m, '{{reason}}',
                  instant=true)], 'short',
          { thresholds: faultSteps }, barOptions),
    panel(14, 'Faults Last Hour by Symbol', 'bargauge', [0, 31, 12, 8],
          [target('topk(10, sum by (symbol) (quantum_safety_faults_last_1h_by_symbol%s))' % m,
                  '{{symbol}}', instant=true)], 'short',
          { thresholds: faultSteps }, barOptions,
          description='The 10 symbols with the most faults in the last hour.'),
    panel(15, 'SAFE MODE SLO: Bad 5-Minute Windows', 'timeseries', [12, 31, 12, 8],
          [
            target(r.badRatio(w) + rm, w + ' ' + legend, ref=std.char(65 + i))
            for i in std.range(0, std.length($.burnWindows) - 1)
            for w in [$.burnWindows[i]]
          ], 'percentunit',
          { min: 0, thresholds: thresholds([['green', null], ['red', 1 - c.sloTarget]]) },
          description='Share of 5-minute windows with SAFE MODE on; the SLO allows %g%%.'
                      % ((1 - c.sloTarget) * 100)),
    panel(16, 'Fault Anomaly: Now vs Same Time Last 7 Days', 'timeseries', [0, 39, 24, 8],
          [
            target(r.rateFaults5m + rm, 'last 5m ' + legend, ref='A'),
            target(r.baselineMean + rm, 'baseline ' + legend, ref='B'),
          ], 'short', { min: 0 },
          description='Rate-limit faults per 5 minutes against the mean of the same time of day '
                      + 'on the last 7 days (QuantumSafetyFaultAnomaly).'),
  ],

  grafanaDashboards+:: {
    'quantum_safety_telemetry.json': {
      __inputs: [{
        name: 'DS_PROMETHEUS',
        label: 'Prometheus',
        description: 'The Prometheus that scrapes the safety telemetry exporter',
        type: 'datasource',
        pluginId: 'prometheus',
        pluginName: 'Prometheus',
      }],
      __requires: [
        { type: 'grafana', id: 'grafana', name: 'Grafana', version: '9.0.0' },
        { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      ],
      title: 'Quantum Safety Telemetry (P1)',
      uid: c.dashboardUID,
      tags: ['quantum', 'safety'],
      timezone: 'utc',
      refresh: '10s',
      schemaVersion: 37,
      version: 1,
      editable: true,
      time: { from: 'now-1h', to: 'now' },
      templating: {
        list: [{
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: { text: '${DS_PROMETHEUS}', value: '${DS_PROMETHEUS}' },
          hide: 0,
          refresh: 1,
        }] + variables,
      },
      annotations: { list: [] },
      panels: panels,
    },
  },
}
