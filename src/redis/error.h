// Why a round trip to Redis failed. Errors the environment causes are values,
// counted and logged by the caller, never exceptions.
#pragma once

#include <string>
#include <string_view>

namespace qst::redis {

enum class ErrorKind {
  kConnect,   // could not connect (refused, unreachable, DNS)
  kBackoff,   // not tried: waiting before the next reconnect attempt
  kTimeout,   // the deadline passed before Redis answered
  kIo,        // the connection broke mid-exchange
  kProtocol,  // Redis sent something that is not RESP
  kAuth,      // AUTH or SELECT was refused
};

std::string_view ErrorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind;
  std::string message;
};

}  // namespace qst::redis
