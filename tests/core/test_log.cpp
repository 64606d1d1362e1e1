#include <gtest/gtest.h>

#include <sstream>

#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"

namespace {

struct LoggerTest : ::testing::Test {
  std::ostringstream captured;
  void SetUp() override { opforge::logger().set_stream(&captured); }
  void TearDown() override {
    opforge::logger().set_stream(nullptr);
    opforge::logger().set_all_ranks(false);
    opforge::logger().set_level(opforge::LogLevel::info);
  }
};

TEST_F(LoggerTest, InfoComesFromRankZeroOnlyByDefault) {
  const int rank = opforge::Environment::current().world().rank();
  opforge::logger().info("solved ", 3, " systems");
  EXPECT_EQ(captured.str(), rank == 0 ? "solved 3 systems\n" : "");
}

TEST_F(LoggerTest, VerboseShowsEveryRankWithItsNumber) {
  const auto& world = opforge::Environment::current().world();
  opforge::logger().set_all_ranks(true);
  opforge::logger().info("hello");
  const std::string expected =
      world.size() > 1 ? "[rank " + std::to_string(world.rank()) + "] hello\n" : std::string("hello\n");
  EXPECT_EQ(captured.str(), expected);
}

TEST_F(LoggerTest, WarningsComeFromEveryRank) {
  opforge::logger().warning("disk almost full");
  EXPECT_NE(captured.str().find("warning: disk almost full"), std::string::npos);
}

TEST_F(LoggerTest, DebugIsHiddenUnlessEnabled) {
  opforge::logger().debug("detail");
  EXPECT_EQ(captured.str(), "");
  opforge::logger().set_level(opforge::LogLevel::debug);
  opforge::logger().set_all_ranks(true);
  opforge::logger().debug("detail");
  EXPECT_NE(captured.str().find("detail"), std::string::npos);
}

}  // namespace
