// Where Redis is: parsed from the --redis.addr URL forms redis_exporter users
// know (redis://[user:password@]host:port/db, unix:///path, host:port).
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace qst::redis {

struct Address {
  enum class Kind { kTcp, kUnix };
  Kind kind = Kind::kTcp;
  std::string host = "localhost";
  int port = 6379;
  std::string path;  // unix socket path
  int db = 0;
  std::string user;      // empty: the default user
  std::string password;  // empty: no AUTH
  // redis://secret@host: a lone user-info, read as the password (as
  // redis-cli does); config reads it as the user when the password comes
  // from a file or the environment.
  bool lone_userinfo = false;

  // For logs: the URL with the password replaced by "xxxxx".
  std::string Redacted() const;
};

// One-line error message on bad input. It never quotes the user-info.
Result<Address, std::string> ParseAddress(std::string_view url);

// Where a URL's user-info is, as ParseAddress reads it: [begin, end) between
// "://" (or the start) and the last '@' before the path. Empty when there is
// none. For hiding a password from messages and the process list.
struct UserInfoSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool empty() const { return begin == end; }
};
UserInfoSpan FindUserInfo(std::string_view url);

}  // namespace qst::redis
