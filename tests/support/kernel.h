// Loading the reference safety kernel (deploy/redis/safety_kernel.lua) into a
// test redis-server.
#pragma once

#include "support/redis_server.h"

namespace qst::testing {

// FUNCTION LOAD REPLACE of the kernel; fails the test if Redis refuses it.
void LoadKernel(RedisServer& redis);

}  // namespace qst::testing
