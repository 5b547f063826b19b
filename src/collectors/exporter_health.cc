#include "collectors/exporter_health.h"

namespace qst::collectors {
namespace {

const MetricDesc kRedisUp{"quantum_safety_redis_up",
                          prometheus::MetricType::Gauge,
                          "",
                          "1 when this scrape's snapshot (one MULTI/EXEC) was read from Redis, "
                          "0 otherwise.",
                          "1 when this scrape's snapshot (one `MULTI/EXEC`) was read from Redis; "
                          "a later round that failed is counted in `errors_total` and fails the "
                          "collectors it cut short, the snapshot is still served",
                          "",
                          true};
const MetricDesc kLastError{
    "quantum_safety_redis_last_error_timestamp",
    prometheus::MetricType::Gauge,
    "",
    "Unix time in seconds (exporter clock) of the last Redis error, 0 if none.",
    "Unix seconds (exporter clock) of the last Redis error, 0 if none",
    "",
    true};
const MetricDesc kScrapes{
    "quantum_safety_exporter_scrapes_total",
    prometheus::MetricType::Counter,
    "",
    "Collections run, this one included (scrapes sharing one in flight count once).",
    "collections run, the current one included; scrapes that share a collection in flight (single "
    "flight) count once, a scrape that gave up waiting counts too",
    "",
    true};
const MetricDesc kErrors{"quantum_safety_exporter_errors_total",
                         prometheus::MetricType::Counter,
                         "",
                         "Scrapes that met a Redis error (connection, timeout, error reply).",
                         "scrapes that met a Redis error: connection, timeout, refused "
                         "transaction, or an error reply such as `WRONGTYPE`",
                         "",
                         true};
const MetricDesc kDuration{"quantum_safety_exporter_scrape_duration_seconds",
                           prometheus::MetricType::Gauge,
                           "",
                           "Time this scrape spent collecting, Redis round trips included.",
                           "time this scrape spent collecting, Redis round trips included",
                           "",
                           false};
const MetricDesc kRoundTrips{"quantum_safety_exporter_scrape_redis_round_trips",
                             prometheus::MetricType::Gauge,
                             "",
                             "Redis round trips (pipelined batches) this scrape needed.",
                             "pipelined Redis round trips this scrape needed: 1 in steady state, 2 "
                             "on the first scrape or when scrapes are further apart than the rate "
                             "window, more only while a stream window is read in pages",
                             "",
                             false};
const MetricDesc kSuccess{"quantum_safety_exporter_collector_success",
                          prometheus::MetricType::Gauge,
                          "collector",
                          "1 when the collector produced its metrics this scrape.",
                          "1 when the collector (`safe_mode`, `faults`, `intents`, `rate_limits`) "
                          "produced its metrics this scrape",
                          "",
                          false};
const MetricDesc kCollectorSeconds{"quantum_safety_exporter_collector_duration_seconds",
                                   prometheus::MetricType::Gauge,
                                   "collector",
                                   "Time spent in the collector's own code this scrape (its share "
                                   "of Redis round trips is in the scrape duration).",
                                   "time in the collector's own code this scrape (parsing, "
                                   "counting); Redis waits are in the scrape duration",
                                   "",
                                   false};
const MetricDesc kBuildInfo{
    "quantum_safety_exporter_build_info",
    prometheus::MetricType::Gauge,
    "version,deployment,git,revision,branch,compiler",
    "Always 1; labels identify the exporter build.",
    "always 1; `deployment` is the date of the commit the binary was built from, `git` the "
    "abbreviated and `revision` the full commit, `compiler` the C++ compiler and its version",
    "",
    true};

}  // namespace

const std::vector<MetricDesc>& HealthDescriptors() {
  static const std::vector<MetricDesc> all = {kRedisUp, kLastError,        kScrapes,
                                              kErrors,  kDuration,         kRoundTrips,
                                              kSuccess, kCollectorSeconds, kBuildInfo};
  return all;
}

std::vector<Family> HealthFamilies(const HealthSnapshot& s, const BuildInfo& build) {
  std::vector<Family> out;
  out.push_back(Single(kRedisUp, s.redis_up ? 1 : 0));
  out.push_back(Single(kLastError, s.last_error_timestamp));
  out.push_back(Single(kScrapes, static_cast<double>(s.scrapes)));
  out.push_back(Single(kErrors, static_cast<double>(s.errors)));
  out.push_back(Single(kDuration, s.scrape_seconds));
  out.push_back(Single(kRoundTrips, static_cast<double>(s.round_trips)));
  Family success = FamilyOf(kSuccess);
  Family seconds = FamilyOf(kCollectorSeconds);
  for (const CollectorResult& c : s.collectors) {
    AddSample(success, c.success ? 1 : 0, {{"collector", c.name}});
    AddSample(seconds, c.seconds, {{"collector", c.name}});
  }
  out.push_back(std::move(success));
  out.push_back(std::move(seconds));
  Family info = FamilyOf(kBuildInfo);
  AddSample(info, 1,
            {{"branch", build.branch},
             {"compiler", build.compiler},
             {"deployment", build.deployment},
             {"git", build.git},
             {"revision", build.revision},
             {"version", build.version}});
  out.push_back(std::move(info));
  return out;
}

}  // namespace qst::collectors
