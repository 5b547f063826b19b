#include "collectors/runner.h"

#include <malloc.h>

#include <charconv>

namespace qst::collectors {
namespace {

constexpr int kMaxRounds = 1000;  // the deadline is the real bound
constexpr std::uint64_t kSteadyRoundTrips = 2;

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

bool ParseTime(const redis::Reply& r, ScrapeTime* out) {
  if (!r.is_array() || r.elements().size() != 2) return false;
  std::int64_t parts[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    const std::string& s = r.elements()[i].str();
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), parts[i]);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return false;
  }
  // Seconds up to the year 33658 and microseconds below a second: anything
  // else is a broken or hostile server, and would overflow the arithmetic of
  // the windows.
  constexpr std::int64_t kMaxSeconds = 1'000'000'000'000;
  if (parts[0] < 0 || parts[0] > kMaxSeconds || parts[1] < 0 || parts[1] >= 1'000'000) {
    return false;
  }
  out->unix_ms = parts[0] * 1000 + parts[1] / 1000;
  return true;
}

}  // namespace

Runner::Runner(redis::Client& client, const Clock& clock, Logger& log, BuildInfo build,
               std::vector<std::unique_ptr<Collector>> collectors)
    : client_(client),
      clock_(clock),
      log_(log),
      build_(std::move(build)),
      collectors_(std::move(collectors)) {}

// One collector's part of the collection in flight.
struct Runner::Work {
  std::unique_ptr<CollectorScrape> scrape;
  double seconds = 0;
  // Its commands in the round being planned: [begin, end).
  std::size_t begin = 0;
  std::size_t end = 0;

  template <typename Fn>
  void Timed(const Clock& clock, Fn&& fn) {
    const auto t0 = clock.Monotonic();
    fn();
    seconds += Seconds(clock.Monotonic() - t0);
  }
  redis::ReplySpan Replies(const std::vector<redis::Reply>& all) const {
    return redis::ReplySpan(all).Sub(begin, end - begin);
  }
};

std::string Runner::RedisError(const redis::Error& e) {
  return "redis " + std::string(redis::ErrorKindName(e.kind)) + ": " + e.message;
}

// Round 0: MULTI, TIME, every collector's snapshot, EXEC.
bool Runner::RunSnapshot(redis::Deadline deadline, std::vector<Work>& work, ScrapeTime* now,
                         std::string* error) {
  std::vector<redis::Command> cmds = {{"MULTI"}, {"TIME"}};
  for (Work& w : work) {
    w.begin = cmds.size() - 1;  // index inside the EXEC reply
    w.Timed(clock_, [&] { w.scrape->PlanSnapshot(cmds); });
    w.end = cmds.size() - 1;
  }
  cmds.push_back({"EXEC"});
  auto replies = client_.Execute(cmds, deadline);
  if (!replies.ok()) {
    *error = RedisError(replies.error());
    return false;
  }
  const redis::Reply& exec = replies->back();
  if (!exec.is_array() || exec.elements().size() != cmds.size() - 2) {
    std::string why = exec.Describe();
    for (const redis::Reply& r : *replies) {
      if (r.is_error()) {
        why = r.str();
        break;
      }
    }
    *error = "Redis refused the scrape's MULTI/EXEC: " + why;
    return false;
  }
  if (!ParseTime(exec.elements()[0], now)) {
    *error = "unexpected TIME reply: " + exec.elements()[0].Describe();
    return false;
  }
  for (Work& w : work) {
    w.Timed(clock_, [&] { w.scrape->ConsumeSnapshot(*now, w.Replies(exec.elements())); });
  }
  return true;
}

// Later rounds: whatever the collectors still need, until nobody asks. Out of
// time, or a round failed, the collectors still waiting for replies never get
// them and leave out what they lack; what the others completed is served.
// Returns whether the snapshot (round 0) was read: quantum_safety_redis_up.
bool Runner::RunRounds(redis::Deadline deadline, std::vector<Work>& work, ScrapeTime* now,
                       std::string* error) {
  if (!RunSnapshot(deadline, work, now, error)) return false;
  std::vector<redis::Command> cmds;
  for (int round = 1; round <= kMaxRounds; ++round) {
    cmds.clear();
    for (Work& w : work) {
      w.begin = cmds.size();
      w.Timed(clock_, [&] { w.scrape->PlanNext(*now, cmds); });
      w.end = cmds.size();
    }
    if (cmds.empty()) break;
    if (clock_.Monotonic() >= deadline) {
      log_.Warn("scrape deadline reached with Redis reads still pending",
                {{"round", std::to_string(round)}});
      break;
    }
    auto replies = client_.Execute(cmds, deadline);
    if (!replies.ok() || replies->size() != cmds.size()) {
      // The snapshot stands: serve it, and let the collectors still waiting
      // say what they lack (collector_success 0), rather than blank it all.
      *error = replies.ok() ? "redis returned " + std::to_string(replies->size()) + " replies to " +
                                  std::to_string(cmds.size()) + " commands"
                            : RedisError(replies.error());
      log_.Warn("a later round failed; serving the snapshot",
                {{"round", std::to_string(round)}, {"err", *error}});
      return true;
    }
    for (Work& w : work) {
      if (w.begin == w.end) continue;
      w.Timed(clock_, [&] { w.scrape->ConsumeNext(*now, w.Replies(*replies)); });
    }
  }
  return true;
}

void Runner::NoteError(const std::string& error) {
  if (error == last_logged_error_) return;
  if (error.empty()) {
    log_.Info("Redis reads healthy again");
  } else {
    log_.Error("scrape met an error", {{"err", error}});
  }
  last_logged_error_ = error;
}

std::vector<Family> Runner::Scrape(redis::Deadline deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (in_flight_) {
    // Share the collection in flight rather than queue a second one behind it.
    const std::uint64_t waiting_for = generation_;
    const auto start = clock_.Monotonic();
    const bool ended =
        finished_.wait_until(lock, deadline, [&] { return generation_ != waiting_for; });
    // A result stored by the flight this scrape joined, or by a later one
    // (the joined one may have failed with an exception and stored none).
    if (ended && latest_ && latest_generation_ > waiting_for) return latest_->families;
    lock.unlock();
    HealthSnapshot health;
    for (const auto& c : collectors_)
      health.collectors.push_back({std::string(c->name()), false, 0});
    return Finish(std::move(health), {},
                  ended ? "the collection this scrape joined failed"
                        : "a collection still in flight at this scrape's deadline",
                  start);
  }
  in_flight_ = true;
  lock.unlock();
  // Whatever happens in Collect (an exception included), the flight ends:
  // otherwise every later scrape of this target would wait for it forever.
  struct EndFlight {
    Runner& r;
    ~EndFlight() {
      std::lock_guard<std::mutex> guard(r.mu_);
      ++r.generation_;
      r.in_flight_ = false;
      r.finished_.notify_all();
    }
  };
  std::vector<Family> out;
  {
    EndFlight end{*this};
    out = Collect(deadline);
    auto result = std::make_shared<Result>();
    result->families = out;
    result->finished = clock_.Monotonic();
    std::lock_guard<std::mutex> guard(mu_);
    latest_ = std::move(result);
    latest_generation_ = generation_ + 1;  // the generation EndFlight is about to finish
  }
  return out;
}

std::shared_ptr<const Runner::Result> Runner::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

// Runs with in_flight_ set: the only code that touches the collectors.
std::vector<Family> Runner::Collect(redis::Deadline deadline) {
  const auto start = clock_.Monotonic();
  std::vector<Work> work(collectors_.size());
  for (std::size_t i = 0; i < collectors_.size(); ++i) {
    work[i].scrape = collectors_[i]->StartScrape();
  }
  HealthSnapshot health;
  std::vector<Family> out;
  std::string error;
  const std::uint64_t trips_before = client_.round_trips();
  ScrapeTime now;
  const bool ok = RunRounds(deadline, work, &now, &error);
  health.round_trips = client_.round_trips() - trips_before;
  // A scrape that read a window in pages (start-up, a recreated stream)
  // freed megabytes of replies; give them back rather than keep them as
  // resident memory for the life of the process.
  if (health.round_trips > kSteadyRoundTrips) malloc_trim(0);
  health.redis_up = ok;
  for (std::size_t i = 0; i < collectors_.size(); ++i) {
    const std::string name(collectors_[i]->name());
    CollectorResult result{name, false, work[i].seconds};
    if (ok) {
      std::vector<Family> families;
      Status status;
      work[i].Timed(clock_, [&] { status = work[i].scrape->Emit(now, families); });
      result.seconds = work[i].seconds;
      if (status) {
        if (!error.empty()) error += "; ";
        error += name + ": " + *status;
      } else {
        result.success = true;
      }
      // A failed collector may still emit the part it is sure of.
      for (Family& f : families) out.push_back(std::move(f));
    }
    health.collectors.push_back(std::move(result));
  }
  return Finish(std::move(health), std::move(out), error, start);
}

// Counts the scrape, logs a changed error and appends the health families.
std::vector<Family> Runner::Finish(HealthSnapshot health, std::vector<Family> out,
                                   const std::string& error,
                                   std::chrono::steady_clock::time_point start) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!error.empty()) {
    ++errors_;
    last_error_timestamp_ = ToUnixSeconds(clock_.Wall());
  }
  ++scrapes_;
  NoteError(error);
  health.scrapes = scrapes_;
  health.errors = errors_;
  health.last_error_timestamp = last_error_timestamp_;
  health.scrape_seconds = Seconds(clock_.Monotonic() - start);
  for (Family& f : HealthFamilies(health, build_)) out.push_back(std::move(f));
  return out;
}

}  // namespace qst::collectors
