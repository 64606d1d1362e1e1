#include <gtest/gtest.h>

#include <thread>

#include "opforge/core/timer.hpp"

namespace {

TEST(ScopedTimer, AccumulatesTimeAndCallsByName) {
  opforge::TimerRegistry registry;
  for (int i = 0; i < 3; ++i) {
    opforge::ScopedTimer timer("assemble", registry);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto& totals = registry.totals();
  ASSERT_EQ(totals.count("assemble"), 1u);
  EXPECT_EQ(totals.at("assemble").calls, 3);
  EXPECT_GE(registry.seconds("assemble"), 0.015);
  EXPECT_EQ(registry.seconds("never"), 0.0);
}

}  // namespace
