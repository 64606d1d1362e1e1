#pragma once
/// @file
/// Data parallelism over MPI (LibTorch 1.13's c10d has no ProcessGroupMPI):
/// parameters broadcast from rank 0, gradients summed with MPI_Allreduce over
/// flat buckets in a fixed order, then scaled.

#include <torch/torch.h>

#include "opforge/core/communicator.hpp"

namespace opforge::train {

/// Make every rank's parameters and buffers equal to rank 0's.
void broadcast_parameters(const Communicator& comm, torch::nn::Module& module);

class GradientSync {
public:
  /// @param bucket_bytes  gradients are reduced in flat buckets of about this size
  GradientSync(const Communicator& comm, torch::nn::Module& module, std::size_t bucket_bytes = 4u << 20);
  /// Sum every gradient over the ranks and multiply by `scale` (e.g. 1 / global batch).
  void allreduce(double scale);
  /// Seconds spent in allreduce so far.
  double seconds() const { return seconds_; }

private:
  const Communicator& comm_;
  std::vector<torch::Tensor> parameters_;
  std::size_t bucket_elements_;
  double seconds_ = 0.0;
};

}  // namespace opforge::train
