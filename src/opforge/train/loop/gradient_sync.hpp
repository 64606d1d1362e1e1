#pragma once
/// @file
/// Data parallelism over MPI (LibTorch 1.13's c10d has no ProcessGroupMPI):
/// parameters broadcast from rank 0, gradients summed over the ranks in flat
/// buckets of a few MB, then scaled.
///
/// With `overlap` (the default) the buckets are formed in reverse
/// registration order, the order in which backward produces gradients, and a
/// hook on each parameter copies its gradient into its bucket as soon as it
/// is computed; a full bucket starts an MPI_Iallreduce while backward goes on
/// (buckets start in index order on every rank, as MPI requires). allreduce()
/// then only waits for what is still in flight. A rank without samples in a
/// step, or a parameter without a gradient, contributes zeros.

#include <torch/torch.h>

#include "opforge/core/communicator.hpp"

namespace opforge::train {

/// Make every rank's parameters and buffers equal to rank 0's.
void broadcast_parameters(const Communicator& comm, torch::nn::Module& module);

class GradientSync {
public:
  /// @param bucket_bytes  gradients are reduced in flat buckets of about this size
  /// @param overlap       start each bucket's reduction during backward (needs one
  ///                      backward per allreduce())
  static constexpr std::size_t default_bucket_bytes = 4u << 20;
  GradientSync(const Communicator& comm, torch::nn::Module& module, std::size_t bucket_bytes = default_bucket_bytes,
               bool overlap = true);
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  /// Sum every gradient over the ranks and multiply by `scale` (e.g. 1 / global batch).
  void allreduce(double scale);
  /// Seconds spent in allreduce() so far: with overlap, only the part of the
  /// communication that backward did not hide.
  double seconds() const { return seconds_; }

private:
  struct Slot {
    std::size_t bucket;
    std::int64_t offset, elements;
  };
  void allreduce_blocking(double scale);
  void on_gradient(std::size_t parameter, const torch::Tensor& grad);
  void start_ready_buckets();

  const Communicator& comm_;
  std::vector<torch::Tensor> parameters_;
  std::size_t bucket_elements_;
  bool overlap_;
  double seconds_ = 0.0;
  // Overlap state: bucket buffers, where each parameter lives, what arrived this step.
  std::vector<torch::Tensor> buckets_;
  std::vector<Slot> slots_;
  std::vector<std::int64_t> bucket_parameters_, bucket_arrived_;
  std::vector<bool> arrived_;
  std::vector<Request> requests_;
  std::size_t next_to_start_ = 0;
  std::vector<unsigned> hooks_;
};

}  // namespace opforge::train
