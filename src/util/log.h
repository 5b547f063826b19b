// Structured logs in logfmt (the format Prometheus and its exporters write)
// or JSON (--log.format json, for log pipelines that parse it), one line per
// event, to stderr unless a test installs its own sink.
#pragma once

#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qst {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Parses "debug", "info", "warn" or "error"; false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* out);

enum class LogFormat { kLogfmt, kJson };

// Parses "logfmt" or "json"; false on anything else.
bool ParseLogFormat(std::string_view text, LogFormat* out);

using LogField = std::pair<std::string_view, std::string_view>;

class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  explicit Logger(LogLevel min_level, LogFormat format = LogFormat::kLogfmt);  // to stderr
  Logger(LogLevel min_level, Sink sink, LogFormat format = LogFormat::kLogfmt);
  // Writes through `parent`, with `key=value` added to every line (the target
  // a line is about, say). `parent` must outlive it.
  Logger(Logger& parent, std::string_view key, std::string_view value);
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool Enabled(LogLevel level) const { return level >= min_level_; }
  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

  void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kDebug, msg, fields);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, msg, fields);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, msg, fields);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, msg, fields);
  }

 private:
  void Write(const std::string& line);

  LogLevel min_level_;
  LogFormat format_;
  Sink sink_;
  Logger* parent_ = nullptr;
  std::vector<std::pair<std::string, std::string>> context_;  // fields every line carries
  std::mutex mu_;  // one line at a time from concurrent scrapes
};

// Appends `value` to `out` in logfmt: bare if it is a plain token, otherwise
// quoted with \" \\ \n escaped and invalid UTF-8 replaced, cut at 256 bytes.
void AppendLogfmtValue(std::string& out, std::string_view value);
// Appends `value` as a JSON string: quoted, escaped, invalid UTF-8 replaced,
// cut at 256 bytes.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace qst
