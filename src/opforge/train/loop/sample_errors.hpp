#pragma once
/// @file
/// Per-sample relative errors of a model on a split, shared by the training
/// loop's per-epoch test and validation and by `opforge evaluate`.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "opforge/train/data/data.hpp"
#include "opforge/train/models/model.hpp"

namespace opforge {
class Communicator;
}

namespace opforge::train {

struct SampleErrors {
  std::vector<std::int64_t> indices;  ///< this rank's share of the split
  std::vector<double> l2, h1;
};

/// Errors of `model` on this rank's share (i = rank mod P) of `indices`, in
/// eval mode and without autograd, leaving the model in the mode it found;
/// `predictions` receives the decoded outputs when given. Autoregressive
/// data: errors of the whole T-frame roll-out (as the FNO and MgNO papers
/// report), H1 over the spatial axes.
SampleErrors relative_errors(const Communicator& comm, OperatorModelImpl& model, OperatorData& data,
                             const Normalizer& normalizer, const std::vector<std::int64_t>& indices,
                             std::vector<torch::Tensor>* predictions = nullptr);

/// The mean over all ranks of `values`, which sum over `total` samples.
double mean_over_ranks(const Communicator& comm, const std::vector<double>& values, std::int64_t total);

/// [begin, end) as indices.
std::vector<std::int64_t> range(std::int64_t begin, std::int64_t end);

}  // namespace opforge::train
