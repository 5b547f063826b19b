// The mixin's settings. Override any of them when importing:
//   (import 'mixin.libsonnet') + { _config+:: { selector: 'job="quantum-safety-exporter"' } }
{
  _config+:: {
    // PromQL matchers for the exporter's series (its scrape job).
    selector: 'job="quantum_safety_telemetry"',
    // Labels that tell kernels apart: every rule and alert keeps them, and the
    // dashboard has a variable for each. 'job' is always kept as well.
    kernelLabels: ['instance'],
    // Where docs/runbook.md is published; each alert links to #<alertname>.
    runbookURLBase: 'https://quantum-safety-telemetry.example.com/runbook',
    // Evaluation interval of every group. The SLO ratios divide by the number
    // of evaluations a window holds, so render with the interval you run.
    ruleInterval: '30s',

    // QuantumSafetyFaultSpike: more than this many rate-limit faults in the window.
    faultSpikeThreshold: 5,
    faultSpikeWindow: '5m',
    // Dashboard colours of "Faults Last Hour": yellow from, red from.
    faultsHourYellow: 10,
    faultsHourRed: 50,
    // SLO: share of 5-minute windows with SAFE MODE off.
    sloTarget: 0.99,
    // Anomaly: z-score of the last 5 minutes' rate-limit faults against the
    // same 5 minutes of the day on each of the last 7 days (needs 7 days of
    // history before it can fire). The z-score's divisor never goes
    // below anomalyStddevFloor (faults per 5 minutes), so a perfectly steady
    // baseline does not make one extra fault infinitely surprising, and it
    // takes more than anomalyMinFaults in 5 minutes to alert.
    anomalyZScore: 3,
    anomalyStddevFloor: 0.5,
    anomalyMinFaults: 2,
    anomalyFor: '10m',
    // The meta-alert: the quantum_safety group counts as evaluated when its
    // last evaluation is younger than this.
    metaStaleness: '5m',

    // Names used in rendered files.
    alertGroup: 'quantum_safety',
    recordingGroup: 'quantum_safety_recording',
    anomalyGroup: 'quantum_safety_anomaly',
    metaGroup: 'quantum_safety_meta',
    dashboardUID: 'quantum-safety-telemetry',
  },
}
