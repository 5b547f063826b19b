// gzip for responses, which Prometheus asks for (Accept-Encoding: gzip): the
// exposition text compresses about tenfold.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qst::http {

// `in` as one gzip member (RFC 1952); nullopt if zlib fails.
std::optional<std::string> Gzip(std::string_view in);

}  // namespace qst::http
