#include "collectors/exporter_health.h"

namespace qst::collectors {

std::vector<Family> HealthFamilies(const HealthSnapshot& s, const BuildInfo& build) {
  std::vector<Family> out;
  out.push_back(Gauge("quantum_safety_redis_up",
                      "1 when every Redis read of this scrape succeeded, 0 otherwise.",
                      s.redis_up ? 1 : 0));
  out.push_back(Gauge("quantum_safety_redis_last_error_timestamp",
                      "Unix time in seconds (exporter clock) of the last Redis error, 0 if none.",
                      s.last_error_timestamp));
  out.push_back(Counter("quantum_safety_exporter_scrapes_total",
                        "Scrapes served, this one included.", static_cast<double>(s.scrapes)));
  out.push_back(Counter("quantum_safety_exporter_errors_total",
                        "Scrapes that met a Redis error (connection, timeout, error reply).",
                        static_cast<double>(s.errors)));
  out.push_back(Gauge("quantum_safety_exporter_scrape_duration_seconds",
                      "Time this scrape spent collecting, Redis round trips included.",
                      s.scrape_seconds));
  out.push_back(Gauge("quantum_safety_exporter_scrape_redis_round_trips",
                      "Redis round trips (pipelined batches) this scrape needed.",
                      static_cast<double>(s.round_trips)));
  Family success = GaugeFamily("quantum_safety_exporter_collector_success",
                               "1 when the collector produced its metrics this scrape.");
  Family seconds = GaugeFamily("quantum_safety_exporter_collector_duration_seconds",
                               "Time spent in the collector's own code this scrape (its share of "
                               "Redis round trips is in the scrape duration).");
  for (const CollectorResult& c : s.collectors) {
    AddSample(success, c.success ? 1 : 0, {{"collector", c.name}});
    AddSample(seconds, c.seconds, {{"collector", c.name}});
  }
  out.push_back(std::move(success));
  out.push_back(std::move(seconds));
  Family info = GaugeFamily("quantum_safety_exporter_build_info",
                            "Always 1; labels identify the exporter build.");
  AddSample(info, 1,
            {{"deployment", build.deployment}, {"git", build.git}, {"version", build.version}});
  out.push_back(std::move(info));
  return out;
}

}  // namespace qst::collectors
