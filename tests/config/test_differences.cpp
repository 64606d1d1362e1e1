#include <gtest/gtest.h>

#include "opforge/config/differences.hpp"
#include "opforge/core/error.hpp"

namespace {

using opforge::config::describe;
using opforge::config::differing_keys;

TEST(ConfigDifferences, NamesEachDifferingLeafWithBothValues) {
  const auto d = differing_keys("model: {type: fno, width: 8, modes: [4, 4]}\nseed: 1\n",
                                "model: {type: fno, width: 16, modes: [4, 6]}\nseed: 1\n");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].key, "model.width");
  EXPECT_EQ(d[0].first, "8");
  EXPECT_EQ(d[0].second, "16");
  EXPECT_EQ(d[1].key, "model.modes");
  EXPECT_EQ(d[1].first, "[4, 4]");
  EXPECT_EQ(d[1].second, "[4, 6]");
  EXPECT_EQ(describe(d, "checkpoint", "config"), "model.width: checkpoint 8, config 16; model.modes: checkpoint [4, 4], config [4, 6]");
}

TEST(ConfigDifferences, NumbersCompareAsNumbersAndAbsentKeysAreShown) {
  EXPECT_TRUE(differing_keys("lr: 1.0e-3\nn: 2\n", "lr: 0.001\nn: 2.0\n").empty());
  const auto d = differing_keys("a: {b: x}\n", "a: {c: y}\n");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].key, "a.b");
  EXPECT_EQ(d[0].second, "(absent)");
  EXPECT_EQ(d[1].key, "a.c");
  EXPECT_EQ(d[1].first, "(absent)");
  EXPECT_EQ(differing_keys("a: text\n", "a: Text\n").size(), 1u);
}

TEST(ConfigDifferences, PrefixKeepsOneSectionOnly) {
  const auto d = differing_keys("model: {width: 8}\nmodelx: 1\ntraining: {epochs: 2}\n",
                                "model: {width: 9}\nmodelx: 2\ntraining: {epochs: 3}\n", "model");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].key, "model.width");
}

TEST(ConfigDifferences, TextThatIsNotYamlIsAConfigError) {
  EXPECT_THROW(differing_keys("a: [1, 2\n", "a: 1\n"), opforge::ConfigError);
  EXPECT_THROW(differing_keys("{[1, 2]: x}\n", "a: 1\n"), opforge::ConfigError);  // a key that is a list
}

}  // namespace
