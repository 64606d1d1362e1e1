#include "opforge/train/data/sampler.hpp"

#include <algorithm>

#include "opforge/core/error.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::train {

DistributedSampler::DistributedSampler(std::vector<std::int64_t> indices, std::int64_t global_batch,
                                       std::uint64_t seed, int rank, int ranks, bool shuffle, bool drop_last)
    : indices_(std::move(indices)), global_batch_(global_batch), seed_(seed), rank_(rank), ranks_(ranks),
      shuffle_(shuffle), drop_last_(drop_last) {
  OPFORGE_CHECK(global_batch_ > 0, UsageError, "batch size must be positive, got ", global_batch_);
  OPFORGE_CHECK(!indices_.empty(), UsageError, "the training set is empty");
}

std::int64_t DistributedSampler::batches() const {
  const auto n = static_cast<std::int64_t>(indices_.size());
  return drop_last_ ? std::max<std::int64_t>(1, n / global_batch_) : (n + global_batch_ - 1) / global_batch_;
}

std::vector<std::int64_t> DistributedSampler::epoch_order(std::int64_t epoch) const {
  std::vector<std::int64_t> order = indices_;
  if (!shuffle_) return order;
  // The sampler's own stream of the seed (stream 7), independent of the PDE sampling streams.
  pde::Random random(pde::sample_seed(seed_, epoch, 7));
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[random.next() % (i + 1)]);
  return order;
}

std::int64_t DistributedSampler::global_batch_size(std::int64_t batch) const {
  const auto n = static_cast<std::int64_t>(indices_.size());
  return std::min(global_batch_, n - batch * global_batch_);
}

std::vector<std::int64_t> DistributedSampler::local_batch(std::int64_t epoch, std::int64_t batch) const {
  const std::vector<std::int64_t> order = epoch_order(epoch);
  const std::int64_t begin = batch * global_batch_, size = global_batch_size(batch);
  std::vector<std::int64_t> mine;
  for (std::int64_t k = rank_; k < size; k += ranks_) mine.push_back(order[static_cast<std::size_t>(begin + k)]);
  return mine;
}

}  // namespace opforge::train
