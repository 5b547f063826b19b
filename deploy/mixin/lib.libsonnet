// Small helpers shared by the rules and the dashboard.
{
  // '30s', '5m', '1h', '7d' -> seconds.
  seconds(d)::
    local units = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
    local n = std.length(d);
    std.parseInt(std.substr(d, 0, n - 1)) * units[std.substr(d, n - 1, 1)],

  // 'job, instance': the labels every aggregation keeps.
  by(config, extra=[]):: std.join(', ', std.uniq(['job'] + config.kernelLabels + extra)),

  // The exporter's series with the configured matchers and any extra ones.
  sel(config, extra=''):: '{' + config.selector + (if extra == '' then '' else ', ' + extra) + '}',

  runbook(config, alert):: config.runbookURLBase + '#' + std.asciiLower(alert),

  // How an alert names its kernel: '{{ $labels.instance }}' by default.
  kernelText(config):: std.join('/', ['{{ $labels.%s }}' % l for l in config.kernelLabels]),
}
