#include "util/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "util/text.h"

namespace qst {
namespace {

constexpr std::size_t kMaxLogValueBytes = 256;

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

bool ParseLogFormat(std::string_view text, LogFormat* out) {
  if (text == "logfmt") {
    *out = LogFormat::kLogfmt;
  } else if (text == "json") {
    *out = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

void AppendLogfmtValue(std::string& out, std::string_view value) {
  bool bare = !value.empty();
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || c == '=' || c == '"' || c == '\\' || u >= 0x7F) {
      bare = false;
      break;
    }
  }
  if (bare && value.size() <= kMaxLogValueBytes) {
    out += value;
    return;
  }
  out += '"';
  for (char c : SanitizeUtf8(value, kMaxLogValueBytes)) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendJsonString(std::string& out, std::string_view value) {
  out += '"';
  for (char c : SanitizeUtf8(value, kMaxLogValueBytes)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

Logger::Logger(LogLevel min_level, LogFormat format)
    : Logger(
          min_level,
          [](std::string_view line) {
            std::fwrite(line.data(), 1, line.size(), stderr);
            std::fflush(stderr);
          },
          format) {}

Logger::Logger(LogLevel min_level, Sink sink, LogFormat format)
    : min_level_(min_level), format_(format), sink_(std::move(sink)) {}

Logger::Logger(Logger& parent, std::string_view key, std::string_view value)
    : min_level_(parent.min_level_),
      format_(parent.format_),
      parent_(&parent),
      context_(parent.context_) {
  context_.emplace_back(key, value);
}

void Logger::Write(const std::string& line) {
  if (parent_ != nullptr) {
    parent_->Write(line);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  sink_(line);
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  const bool json = format_ == LogFormat::kJson;
  std::string line;
  const auto add = [&](std::string_view key, std::string_view value) {
    if (json) {
      line += line.empty() ? "{" : ",";
      AppendJsonString(line, key);
      line += ':';
      AppendJsonString(line, value);
    } else {
      if (!line.empty()) line += ' ';
      line += key;
      line += '=';
      AppendLogfmtValue(line, value);
    }
  };
  add("ts", Timestamp());
  add("level", LevelName(level));
  add("msg", msg);
  for (const auto& [key, value] : fields) add(key, value);
  for (const auto& [key, value] : context_) add(key, value);
  line += json ? "}\n" : "\n";
  Write(line);
}

}  // namespace qst
