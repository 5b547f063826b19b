// RESP bytes from a hostile or broken Redis, through the reader the client
// uses, into every collector and the exposition: never a crash, a hang or
// undefined behaviour, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/registry.h"
#include "contract/keys.h"
#include "http/exposition.h"
#include "redis/hiredis_client.h"
#include "redis/stream_reply.h"

namespace {

qst::Logger& QuietLog() {
  static qst::Logger log(qst::LogLevel::kError, [](std::string_view) {});
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qst;
  auto replies = redis::ParseResp(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!replies.ok() || replies->empty()) return 0;
  for (const redis::Reply& r : *replies) {
    (void)redis::ParseStreamInfo(r);
    (void)redis::ParseEntries(r);
  }
  // Each collector gets the parsed replies, cycled, as the answers to every
  // command it plans, in the snapshot and in two later rounds.
  auto collectors = collectors::DefaultCollectors(contract::Keys("quantum:"),
                                                  std::chrono::seconds(60), QuietLog());
  std::vector<collectors::Family> out;
  for (int scrape = 0; scrape < 2; ++scrape) {
    for (auto& c : collectors) {
      auto work = c->StartScrape();
      std::vector<redis::Command> cmds;
      const auto answers = [&](std::size_t n) {
        std::vector<redis::Reply> a;
        for (std::size_t i = 0; i < n; ++i) a.push_back((*replies)[i % replies->size()]);
        return a;
      };
      const collectors::ScrapeTime now{1700000000000 + scrape * 15000};
      work->PlanSnapshot(cmds);
      const auto snapshot = answers(cmds.size());
      work->ConsumeSnapshot(now, redis::ReplySpan(snapshot));
      for (int round = 0; round < 2; ++round) {
        cmds.clear();
        work->PlanNext(now, cmds);
        if (cmds.empty()) break;
        const auto next = answers(cmds.size());
        work->ConsumeNext(now, redis::ReplySpan(next));
      }
      (void)work->Emit(now, out);
    }
  }
  (void)http::RenderText(out);
  return 0;
}
