#include "support/kernel.h"

#include <gtest/gtest.h>

namespace qst::testing {

void LoadKernel(RedisServer& redis) {
  const std::string code = ReadFile(QST_SOURCE_DIR "/deploy/redis/safety_kernel.lua");
  ASSERT_FALSE(code.empty());
  const redis::Reply r = redis.Command({"FUNCTION", "LOAD", "REPLACE", code});
  ASSERT_FALSE(r.is_error()) << r.str();
  ASSERT_EQ(r.str(), "quantum_safety");
}

}  // namespace qst::testing
