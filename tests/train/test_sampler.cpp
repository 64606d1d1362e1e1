#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "opforge/train/data/sampler.hpp"

namespace {

using opforge::train::DistributedSampler;

std::vector<std::int64_t> range(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 100);
  return v;
}

/// Concatenation over ranks, batch by batch, of what P ranks see in one epoch.
std::vector<std::vector<std::int64_t>> batches_seen(int ranks, std::int64_t epoch) {
  std::vector<std::vector<std::int64_t>> out;
  DistributedSampler first(range(23), 5, 9, 0, ranks);
  for (std::int64_t b = 0; b < first.batches(); ++b) {
    std::vector<std::int64_t> batch;
    for (int r = 0; r < ranks; ++r) {
      const auto part = DistributedSampler(range(23), 5, 9, r, ranks).local_batch(epoch, b);
      batch.insert(batch.end(), part.begin(), part.end());
    }
    std::sort(batch.begin(), batch.end());
    out.push_back(batch);
  }
  return out;
}

TEST(DistributedSampler, UnionOverRanksIsAPermutationAndTheSameForAnyRankCount) {
  const auto one = batches_seen(1, 4);
  for (int ranks : {2, 3, 7}) EXPECT_EQ(batches_seen(ranks, 4), one) << ranks << " ranks";
  std::vector<std::int64_t> all;
  for (const auto& batch : one) all.insert(all.end(), batch.begin(), batch.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, range(23));
}

TEST(DistributedSampler, ReshufflesEveryEpochReproducibly) {
  DistributedSampler sampler(range(50), 10, 1, 0, 1);
  EXPECT_NE(sampler.epoch_order(0), sampler.epoch_order(1));
  EXPECT_EQ(sampler.epoch_order(3), DistributedSampler(range(50), 10, 1, 0, 1).epoch_order(3));
  EXPECT_NE(sampler.epoch_order(0), DistributedSampler(range(50), 10, 2, 0, 1).epoch_order(0));
}

TEST(DistributedSampler, EveryRankHasTheSameNumberOfBatches) {
  for (int ranks : {1, 2, 4, 6}) {
    DistributedSampler sampler(range(23), 5, 0, ranks - 1, ranks);
    EXPECT_EQ(sampler.batches(), 5);
    EXPECT_EQ(sampler.global_batch_size(4), 3);
  }
  // More ranks than a batch holds: some ranks get empty parts but still take part.
  EXPECT_TRUE(DistributedSampler(range(23), 5, 0, 5, 6).local_batch(0, 0).empty());
}

}  // namespace
