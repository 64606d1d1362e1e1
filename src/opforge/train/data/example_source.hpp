#pragma once
/// @file
/// What the training loop asks for each optimizer step: this rank's
/// training examples (ids for OperatorData::training_batch). A fixed
/// dataset is one source (DistributedSampler), a stream of freshly
/// generated samples another (StreamedExamples); the loop is the same.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace opforge::train {

class ExampleSource {
public:
  virtual ~ExampleSource() = default;
  /// Optimizer steps per epoch (the same on every rank).
  virtual std::int64_t batches() const = 0;
  /// Examples in global batch `batch`, over all ranks.
  virtual std::int64_t global_batch_size(std::int64_t batch) const = 0;
  /// Examples per epoch, over all ranks.
  virtual std::int64_t examples_per_epoch() const = 0;
  /// This rank's examples for step `batch` of `epoch` (may be empty).
  virtual std::vector<std::int64_t> next_batch(std::int64_t epoch, std::int64_t batch) = 0;
  /// Collective: (column, value) pairs for the metrics after an epoch;
  /// none for a fixed dataset.
  virtual std::vector<std::pair<std::string, double>> status() { return {}; }
  /// Collective, once training has ended (done or stopped).
  virtual void finish() {}
  /// What a checkpoint must hold to continue the source exactly (rank 0's;
  /// empty: nothing, the sampler being a function of (seed, epoch)).
  virtual std::string state() const { return {}; }
  /// Continues from state() of an interrupted run (before the first step).
  virtual void restore(const std::string& state) { (void)state; }
};

}  // namespace opforge::train
