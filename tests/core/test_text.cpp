#include <gtest/gtest.h>

#include "opforge/core/text.hpp"

namespace {

TEST(Text, EditDistanceCountsSingleCharacterEdits) {
  EXPECT_EQ(opforge::edit_distance("resolution", "resolution"), 0u);
  EXPECT_EQ(opforge::edit_distance("reslution", "resolution"), 1u);
  EXPECT_EQ(opforge::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(opforge::edit_distance("", "abc"), 3u);
}

TEST(Text, DidYouMeanSuggestsOnlyCloseCandidates) {
  EXPECT_EQ(opforge::did_you_mean("reslution", {"alpha", "resolution"}), " (did you mean 'resolution'?)");
  EXPECT_EQ(opforge::did_you_mean("zzzzzz", {"alpha", "resolution"}), "");
}

TEST(Text, SplitAndJoinRoundTrip) {
  const auto parts = opforge::split("a.b..c", '.');
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[2], "");
  EXPECT_EQ(opforge::join(parts, "."), "a.b..c");
}

}  // namespace
