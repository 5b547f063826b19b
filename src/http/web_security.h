// What the server enforces from a WebConfig: a TLS context (OpenSSL through
// Asio), basic authentication against bcrypt hashes (libxcrypt's crypt_r),
// and the headers set on every response. Built whole from a file and
// replaced whole on reload, never changed in place.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/web_config.h"
#include "util/result.h"

namespace qst::http {

// Thread safety: immutable once built, except the cache of passwords already
// verified, which its own mutex guards; Verify may be called from any thread.
class WebSecurity {
 public:
  // Loads the certificate, key and client CA: an error names the file.
  static Result<std::shared_ptr<const WebSecurity>, std::string> Build(const WebConfig& config);

  // nullptr: plain HTTP.
  boost::asio::ssl::context* tls() const { return tls_.get(); }
  bool auth_required() const { return !users_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

  enum class Check { kAllowed, kDenied, kNeedsHashing };
  // The Authorization header's value (empty when absent), without hashing:
  // kNeedsHashing when only bcrypt can tell (then call Verify, off the I/O
  // thread: a bcrypt costs tens of milliseconds by design).
  Check Quick(std::string_view authorization) const;
  // Full check, bcrypt included; a success is remembered, so a scraper's
  // next requests cost a hash lookup.
  bool Verify(std::string_view authorization) const;

 private:
  struct Credentials {
    std::string user;
    std::string password;
  };
  static std::optional<Credentials> Decode(std::string_view authorization);
  static std::string CacheKey(const Credentials& c);

  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::map<std::string, std::string> users_;
  std::vector<std::pair<std::string, std::string>> headers_;
  mutable std::atomic<int> hashing_{0};  // bcrypts running now
  mutable std::mutex mu_;
  mutable std::set<std::string> verified_;  // user + SHA-256 of the password
};

}  // namespace qst::http
