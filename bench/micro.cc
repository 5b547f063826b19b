// Google Benchmark micro-benchmarks of the scrape's hot paths: rendering a
// full scrape, sanitising and escaping label values, and the last-hour
// window's update.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "collectors/exporter_health.h"
#include "collectors/families.h"
#include "collectors/window_index.h"
#include "http/exposition.h"
#include "util/text.h"

namespace {

using qst::collectors::AddSample;
using qst::collectors::Family;
using qst::collectors::GaugeFamily;

// A scrape shaped like the basic fixture's: 24 families, ~35 samples.
std::vector<Family> FullScrape() {
  std::vector<Family> out;
  for (int i = 0; i < 14; ++i) {
    Family f =
        GaugeFamily("quantum_safety_metric_" + std::to_string(i),
                    "Help text naming the key quantum:stream:safety.fault, as the real ones do.");
    AddSample(f, 1795807456.697 + i);
    out.push_back(std::move(f));
  }
  Family top = GaugeFamily("quantum_safety_rate_symbol_top", "Top 5.");
  for (int r = 1; r <= 5; ++r) {
    AddSample(top, 100.0 / r,
              {{"rank", std::to_string(r)}, {"symbol", "SYM" + std::to_string(r) + "USDT"}});
  }
  out.push_back(std::move(top));
  qst::collectors::HealthSnapshot h;
  h.redis_up = true;
  h.collectors = {{"safe_mode", true, 1e-6},
                  {"faults", true, 2e-5},
                  {"intents", true, 9e-6},
                  {"rate_limits", true, 1e-5}};
  for (Family& f : qst::collectors::HealthFamilies(h, {"0.1.0", "2026-11-27", "abc"})) {
    out.push_back(std::move(f));
  }
  return out;
}

void BM_RenderFullScrape(benchmark::State& state) {
  const auto families = FullScrape();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = qst::http::RenderText(families);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderFullScrape);

void BM_SanitizeLabelValue(benchmark::State& state) {
  const std::string value =
      state.range(0) == 0 ? std::string("GLOBAL_RATE_EXCEEDED") : std::string(1 << 20, '\xFF');
  for (auto _ : state) benchmark::DoNotOptimize(qst::SanitizeUtf8(value));
}
BENCHMARK(BM_SanitizeLabelValue)->Arg(0)->Arg(1);  // a reason; a hostile 1 MB value

void BM_EscapeHostileLabel(benchmark::State& state) {
  Family f = GaugeFamily("quantum_safety_last_fault_info", "Info.");
  AddSample(f, 1,
            {{"reason", qst::SanitizeUtf8("quote\" back\\slash\nnewline \xFF")},
             {"symbol", "BTCUSDT"},
             {"side", "BUY"}});
  const std::vector<Family> families{f};
  for (auto _ : state) benchmark::DoNotOptimize(qst::http::RenderText(families));
}
BENCHMARK(BM_EscapeHostileLabel);

// Steady state of the last-hour window: add one scrape's new entries, evict
// what aged out, at a window holding 200,000 entries (the large fixture).
void BM_WindowUpdate(benchmark::State& state) {
  qst::collectors::WindowIndex w;
  std::int64_t ms = 0;
  for (; ms < 200000; ++ms)
    w.Add(ms * 18, static_cast<qst::collectors::WindowIndex::LabelId>(ms % 3));
  const auto per_scrape = state.range(0);
  for (auto _ : state) {
    for (std::int64_t i = 0; i < per_scrape; ++i, ++ms) {
      w.Add(ms * 18, static_cast<qst::collectors::WindowIndex::LabelId>(ms % 3));
    }
    w.EvictThrough(ms * 18 - 3600 * 1000);
    benchmark::DoNotOptimize(w.count());
  }
  state.counters["window_entries"] = static_cast<double>(w.count());
}
BENCHMARK(BM_WindowUpdate)->Arg(1)->Arg(830);  // quiet; 200,000/h arriving at 15 s scrapes

}  // namespace

BENCHMARK_MAIN();
