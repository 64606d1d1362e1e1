#pragma once
/// @file
/// Distributed batch sampler. Every epoch the training indices are shuffled
/// by a portable Fisher-Yates from (seed, epoch) and cut into global batches;
/// rank r of P takes positions r, r+P, ... of each global batch. The union
/// over ranks is the permutation, identical for any P, and every rank sees
/// the same number of batches (an unequal count would deadlock allreduce).

#include <cstdint>
#include <vector>

#include "opforge/train/data/example_source.hpp"

namespace opforge::train {

class DistributedSampler final : public ExampleSource {
public:
  DistributedSampler(std::vector<std::int64_t> indices, std::int64_t global_batch, std::uint64_t seed, int rank,
                     int ranks, bool shuffle = true, bool drop_last = false);

  /// Number of global batches per epoch (the same on every rank).
  std::int64_t batches() const override;
  /// The whole permutation of the epoch (all ranks).
  std::vector<std::int64_t> epoch_order(std::int64_t epoch) const;
  /// This rank's part of global batch `batch` of epoch `epoch` (may be empty).
  std::vector<std::int64_t> local_batch(std::int64_t epoch, std::int64_t batch) const;
  /// Size of global batch `batch` (the last one may be smaller).
  std::int64_t global_batch_size(std::int64_t batch) const override;
  std::int64_t examples_per_epoch() const override { return static_cast<std::int64_t>(indices_.size()); }
  std::vector<std::int64_t> next_batch(std::int64_t epoch, std::int64_t batch) override {
    return local_batch(epoch, batch);
  }

private:
  std::vector<std::int64_t> indices_;
  std::int64_t global_batch_;
  std::uint64_t seed_;
  int rank_, ranks_;
  bool shuffle_, drop_last_;
};

}  // namespace opforge::train
