#include <gtest/gtest.h>

#include "opforge/config/config.hpp"
#include "opforge/train/loop/lr_schedule.hpp"

namespace {

using namespace opforge;

std::unique_ptr<train::LrSchedule> schedule(const std::string& yaml, train::ScheduleContext context) {
  const auto doc = config::Document::parse("schedule: " + yaml, "t.yaml");
  return train::make_lr_schedule(doc.root().section("schedule"), context);
}

TEST(LrSchedule, StepHalvesEveryStepSizeEpochs) {
  const auto s = schedule("{type: step, step_size: 100, gamma: 0.5}", {1e-3, 500, 50});
  EXPECT_DOUBLE_EQ(s->lr(0, 0), 1e-3);
  EXPECT_DOUBLE_EQ(s->lr(99, 49), 1e-3);
  EXPECT_DOUBLE_EQ(s->lr(100, 0), 5e-4);
  EXPECT_DOUBLE_EQ(s->lr(499, 0), 1e-3 / 16);
}

TEST(LrSchedule, CosineGoesFromLrToMinimum) {
  const auto s = schedule("{type: cosine, min_lr: 1.0e-5}", {1e-3, 10, 10});
  EXPECT_DOUBLE_EQ(s->lr(0, 0), 1e-3);
  EXPECT_NEAR(s->lr(5, 0), 0.5 * (1e-3 + 1e-5), 1e-12);
  EXPECT_GT(s->lr(9, 9), 1e-5);
  EXPECT_LT(s->lr(9, 9), 2e-5);
}

TEST(LrSchedule, OneCycleWarmsUpToThePeakThenAnneals) {
  const auto s = schedule("{type: onecycle, pct_start: 0.3, div_factor: 25}", {1e-3, 10, 10});
  EXPECT_NEAR(s->lr(0, 0), 4e-5, 1e-12);
  EXPECT_NEAR(s->lr(3, 0), 1e-3, 1e-9);
  EXPECT_LT(s->lr(9, 9), 1e-6);
}

TEST(LrSchedule, UnknownTypeIsAConfigError) {
  EXPECT_THROW(schedule("{type: steps}", {}), ConfigError);
}

}  // namespace
