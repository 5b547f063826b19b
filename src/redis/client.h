// The one thing collectors need from Redis: run a batch of commands in a
// single round trip, before a deadline.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "redis/error.h"
#include "redis/reply.h"
#include "util/result.h"

namespace qst::redis {

using Command = std::vector<std::string>;
using Deadline = std::chrono::steady_clock::time_point;

class Client {
 public:
  virtual ~Client() = default;

  // Sends every command in one pipelined round trip and returns the replies
  // in order. A transport failure fails the whole batch; a Redis error reply to
  // one command (WRONGTYPE, ...) is a Reply of type kError in its slot.
  virtual Result<std::vector<Reply>, Error> Execute(const std::vector<Command>& commands,
                                                    Deadline deadline) = 0;

  // Round trips attempted since start, for the exporter's own metrics.
  virtual std::uint64_t round_trips() const = 0;
};

}  // namespace qst::redis
