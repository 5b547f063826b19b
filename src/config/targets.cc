#include "config/targets.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "contract/rate_window.h"
#include "util/text.h"

namespace qst::config {
namespace {

// Label names the exporter's own series use: a target label must not clash.
constexpr std::string_view kReservedLabels[] = {
    "target",  "reason",     "symbol", "side", "rank",     "symbols", "collector",
    "version", "deployment", "git",    "job",  "instance", "le",      "quantile"};

bool Reserved(const std::string& name) {
  return std::find(std::begin(kReservedLabels), std::end(kReservedLabels), name) !=
         std::end(kReservedLabels);
}

std::string At(const std::string& path, const YAML::Node& node) {
  return path + ":" + std::to_string(node.Mark().line + 1) + ": ";
}

// A scalar's text, or an error naming the line.
struct Text {
  std::string value;
};
Result<Text, std::string> Scalar(const std::string& path, const YAML::Node& node,
                                 const std::string& key) {
  if (!node.IsScalar()) return At(path, node) + key + " must be a string";
  return Text{node.Scalar()};
}

Result<std::vector<std::pair<std::string, std::string>>, std::string> Labels(
    const std::string& path, const YAML::Node& node) {
  if (!node.IsMap()) return At(path, node) + "labels must be a map of name: value";
  static const std::regex name_re("[a-zA-Z_][a-zA-Z0-9_]*");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    if (!std::regex_match(name, name_re) || name.rfind("__", 0) == 0) {
      return At(path, kv.first) + "label name \"" + SanitizeUtf8(name, 64) + "\" is not valid";
    }
    if (Reserved(name)) {
      return At(path, kv.first) + "label name \"" + name + "\" is used by the exporter's series";
    }
    auto value = Scalar(path, kv.second, "label " + name);
    if (!value.ok()) return value.error();
    if (value->value.size() > kMaxLabelValueBytes) {
      return At(path, kv.second) + "label " + name + " is longer than 128 bytes";
    }
    out.emplace_back(name, SanitizeUtf8(value->value));
  }
  return out;
}

// Each reader fills one field of `t` from `node`, or says what is wrong.
using Problem = std::optional<std::string>;

Problem ReadName(const std::string& path, const YAML::Node& node, TargetSpec& t) {
  static const std::regex name_re("[a-z0-9_-]{1,64}");
  if (!node["name"]) return At(path, node) + "target without a name";
  auto name = Scalar(path, node["name"], "name");
  if (!name.ok()) return name.error();
  if (!std::regex_match(name->value, name_re)) {
    return At(path, node["name"]) + "name \"" + SanitizeUtf8(name->value, 64) +
           "\" must be 1-64 characters of a-z, 0-9, _ and -";
  }
  t.name = name->value;
  return std::nullopt;
}

Problem ReadAddress(const std::string& path, const YAML::Node& node, TargetSpec& t) {
  if (!node["redis_addr"]) return At(path, node) + "target " + t.name + " has no redis_addr";
  auto text = Scalar(path, node["redis_addr"], "redis_addr");
  if (!text.ok()) return text.error();
  auto addr = redis::ParseAddress(text->value);
  if (!addr.ok()) return At(path, node["redis_addr"]) + "redis_addr: " + addr.error();
  t.redis = *addr;
  return std::nullopt;
}

Problem ReadPassword(const std::string& path, const YAML::Node& node, TargetSpec& t) {
  const YAML::Node field = node["redis_password_file"];
  if (!field) return std::nullopt;
  auto file = Scalar(path, field, "redis_password_file");
  if (!file.ok()) return file.error();
  if (!t.redis.password.empty()) {
    return At(path, field) + "give the password in redis_addr or in redis_password_file, not both";
  }
  auto pw = ReadSecretFile(file->value, "redis_password_file");
  if (!pw.ok()) return At(path, field) + pw.error();
  t.redis.password = pw->value;
  return std::nullopt;
}

Problem ReadPrefixAndWindow(const std::string& path, const YAML::Node& node, TargetSpec& t) {
  if (const YAML::Node field = node["key_prefix"]) {
    auto prefix = Scalar(path, field, "key_prefix");
    if (!prefix.ok()) return prefix.error();
    if (prefix->value.size() > 256) return At(path, field) + "key_prefix is longer than 256 bytes";
    t.key_prefix = prefix->value;
  }
  if (const YAML::Node field = node["rate_window"]) {
    auto text = Scalar(path, field, "rate_window");
    if (!text.ok()) return text.error();
    auto window = contract::ParseRateWindow(text->value);
    if (!window.ok()) return At(path, field) + "rate_window: " + window.error();
    t.rate_window = *window;
  }
  return std::nullopt;
}

Problem ReadLabels(const std::string& path, const YAML::Node& node, TargetSpec& t) {
  if (!node["labels"]) return std::nullopt;
  auto labels = Labels(path, node["labels"]);
  if (!labels.ok()) return labels.error();
  t.labels = *labels;
  return std::nullopt;
}

Result<TargetSpec, std::string> Target(const std::string& path, const YAML::Node& node,
                                       const TargetSpec& defaults) {
  if (!node.IsMap()) return At(path, node) + "each target must be a map";
  static const std::set<std::string> known = {"name",       "redis_addr",  "redis_password_file",
                                              "key_prefix", "rate_window", "labels"};
  for (const auto& kv : node) {
    if (known.count(kv.first.Scalar()) == 0) {
      return At(path, kv.first) + "unknown key \"" + SanitizeUtf8(kv.first.Scalar(), 64) +
             "\" (known: name, redis_addr, redis_password_file, key_prefix, rate_window, labels)";
    }
  }
  TargetSpec t = defaults;
  for (auto* read : {ReadName, ReadAddress, ReadPassword, ReadPrefixAndWindow, ReadLabels}) {
    if (Problem p = read(path, node, t)) return *p;
  }
  return t;
}

}  // namespace

Result<Secret, std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read " + what + " " + path;
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string secret = buf.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return what + " " + path + " is empty";
  if (secret.find('\n') != std::string::npos) return what + " " + path + " must hold one line";
  return Secret{secret};
}

namespace {

Result<std::vector<TargetSpec>, std::string> Load(const std::string& path,
                                                  const TargetSpec& defaults) {
  YAML::Node root;
  try {
    std::ifstream in(path);
    if (!in) return "cannot read --config.file " + path;
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    return path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg;
  }
  if (!root.IsMap()) return path + ":1: expected a map with the key \"targets\"";
  for (const auto& kv : root) {
    if (kv.first.Scalar() != "targets") {
      return At(path, kv.first) + "unknown key \"" + SanitizeUtf8(kv.first.Scalar(), 64) +
             "\" (known: targets)";
    }
  }
  const YAML::Node list = root["targets"];
  if (!list || !list.IsSequence() || list.size() == 0) {
    return path + ":1: \"targets\" must be a non-empty list";
  }
  if (list.size() > kMaxTargets) {
    return At(path, list) + std::to_string(list.size()) + " targets; at most " +
           std::to_string(kMaxTargets);
  }
  std::vector<TargetSpec> out;
  std::set<std::string> names;
  for (const auto& node : list) {
    auto t = Target(path, node, defaults);
    if (!t.ok()) return t.error();
    if (!names.insert(t->name).second) {
      return At(path, node["name"]) + "duplicate target name \"" + t->name + "\"";
    }
    out.push_back(std::move(*t));
  }
  return out;
}

}  // namespace

Result<std::vector<TargetSpec>, std::string> LoadTargetsFile(const std::string& path,
                                                             const TargetSpec& defaults) {
  auto targets = Load(path, defaults);
  if (!targets.ok()) return OneLine(targets.error());  // may quote anything the file holds
  return targets;
}

}  // namespace qst::config
