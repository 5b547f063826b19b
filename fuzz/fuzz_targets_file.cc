// --config.file: any bytes as the targets file give targets or one error.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "config/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qst;
  static const std::string path = [] {
    char name[] = "/tmp/qst-fuzz-targets-XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    return std::string(name);
  }();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  config::TargetSpec defaults;
  defaults.redis = *redis::ParseAddress("redis://127.0.0.1:6379");
  auto targets = config::LoadTargetsFile(path, defaults);
  if (!targets.ok() && targets.error().find('\n') != std::string::npos) __builtin_trap();
  return 0;
}
