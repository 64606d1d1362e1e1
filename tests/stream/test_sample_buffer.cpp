// The online buffer's policies against their definitions: FIFO keeps the
// newest samples, the reservoir a uniform sample of all seen (inclusion
// frequency capacity/n for every index, estimated over many seeds), and the
// counts (evicted unused, unique drawn, reuse) against hand counts.

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "opforge/core/error.hpp"
#include "opforge/stream/sample_buffer.hpp"

using opforge::stream::BufferPolicy;
using opforge::stream::SampleBuffer;

namespace {
std::set<std::int64_t> held(const SampleBuffer& buffer) {
  std::set<std::int64_t> indices;
  for (std::int64_t slot = 0; slot < buffer.filled(); ++slot) indices.insert(buffer.index_at(slot));
  return indices;
}
}  // namespace

TEST(SampleBuffer, FifoKeepsTheNewestAndCountsEvictionsOfUnusedSamples) {
  SampleBuffer buffer(4, BufferPolicy::fifo, 1);
  for (std::int64_t i = 0; i < 4; ++i) EXPECT_EQ(buffer.admit(i), i);
  EXPECT_EQ(buffer.draw(2).size(), 2u);  // two of 0..3 are now used
  for (std::int64_t i = 4; i < 10; ++i) EXPECT_GE(buffer.admit(i), 0);
  EXPECT_EQ(held(buffer), (std::set<std::int64_t>{6, 7, 8, 9}));
  // 0..5 left; 2 of 0..3 were drawn, 4 and 5 never: 2 + 2 evicted unused.
  EXPECT_EQ(buffer.counts().evicted_unused, 4);
  EXPECT_EQ(buffer.counts().seen, 10);
}

TEST(SampleBuffer, ReservoirKeepsEveryIndexWithProbabilityCapacityOverSeen) {
  const std::int64_t capacity = 10, n = 100, trials = 4000;
  std::vector<int> kept(n, 0);
  for (std::int64_t t = 0; t < trials; ++t) {
    SampleBuffer buffer(capacity, BufferPolicy::reservoir, 1000 + static_cast<std::uint64_t>(t));
    for (std::int64_t i = 0; i < n; ++i) buffer.admit(i);
    EXPECT_EQ(buffer.counts().evicted_unused, n - capacity);  // nothing was drawn
    for (const auto index : held(buffer)) ++kept[static_cast<std::size_t>(index)];
  }
  // p = 0.1; a binomial(4000, 0.1) frequency has standard deviation 0.0047: +-0.025 is over 5 sigma.
  for (std::int64_t i = 0; i < n; ++i) EXPECT_NEAR(kept[static_cast<std::size_t>(i)] / double(trials), 0.1, 0.025) << i;
}

TEST(SampleBuffer, DrawsAreDistinctOccupiedSlotsAndCountReuse) {
  SampleBuffer buffer(8, BufferPolicy::reservoir, 3);
  for (std::int64_t i = 0; i < 5; ++i) buffer.admit(i);
  const auto all = buffer.draw(7);  // more than are held: all of them
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()), (std::set<std::int64_t>{0, 1, 2, 3, 4}));
  std::int64_t draws = 5;
  for (int k = 0; k < 20; ++k) {
    const auto slots = buffer.draw(3);
    EXPECT_EQ(std::set<std::int64_t>(slots.begin(), slots.end()).size(), 3u);
    for (const auto slot : slots) EXPECT_LT(slot, 5);
    draws += 3;
  }
  EXPECT_EQ(buffer.counts().unique_drawn, 5);
  EXPECT_EQ(buffer.counts().draws, draws);
  EXPECT_DOUBLE_EQ(buffer.counts().mean_reuse(), double(draws) / 5.0);
}

TEST(SampleBuffer, RefusesAnEmptyBufferAndUnknownPolicies) {
  EXPECT_THROW(SampleBuffer(0, BufferPolicy::fifo, 1), opforge::UsageError);
  EXPECT_THROW(opforge::stream::parse_buffer_policy("lifo"), opforge::UsageError);
}

TEST(SampleBuffer, ASavedBufferContinuesExactlyWhereItStopped) {
  SampleBuffer original(6, BufferPolicy::reservoir, 5);
  for (std::int64_t i = 0; i < 20; ++i) original.admit(i);
  original.draw(3);
  std::stringstream text;
  original.save(text);
  SampleBuffer restored(6, BufferPolicy::reservoir, 999);  // another seed: load() must set the position
  restored.load(text);
  for (std::int64_t i = 20; i < 60; ++i) EXPECT_EQ(restored.admit(i), original.admit(i)) << i;
  EXPECT_EQ(restored.draw(4), original.draw(4));
  EXPECT_EQ(held(restored), held(original));
  EXPECT_EQ(restored.counts().evicted_unused, original.counts().evicted_unused);
  EXPECT_EQ(restored.counts().draws, original.counts().draws);
  SampleBuffer smaller(5, BufferPolicy::reservoir, 1);
  std::stringstream again;
  original.save(again);
  EXPECT_THROW(smaller.load(again), opforge::UsageError);
}
