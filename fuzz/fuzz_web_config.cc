// --web.config.file: any bytes as the web config give a config or one error
// of one line; a config without files to load builds its WebSecurity, and a
// basic-auth header checked against it never crashes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/web_config.h"
#include "http/web_security.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qst::http;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = ParseWebConfig(text, "/nonexistent/web.yml");
  if (!config.ok()) {
    if (config.error().find('\n') != std::string::npos) __builtin_trap();
    return 0;
  }
  if (config->tls) return 0;  // its files cannot exist under /nonexistent
  auto security = WebSecurity::Build(*config);
  if (!security.ok()) __builtin_trap();
  // The input's tail as an Authorization header. Quick only: bcrypt (Verify)
  // costs milliseconds by design, too slow to fuzz.
  (void)(*security)->Quick(text.substr(size / 2));
  return 0;
}
