#pragma once
/// @file
/// A model's decoded prediction for a batch of OperatorData inputs, shaped
/// like its targets: one call, or for the autoregressive protocol a roll-out.
/// Shared by the training step and the test/validation errors.

#include <torch/torch.h>

#include <cstdint>

#include "opforge/train/data/data.hpp"
#include "opforge/train/models/model.hpp"

namespace opforge::train {

/// decode(model(encode(x))); autoregressive data: `calls` calls, each fed
/// the last T_in frames with the predictions so far appended (the window
/// slides by one frame per call, as in fourier_2d_time.py), stacked along a
/// last time axis, [B, C, s..., calls]. Autograd flows through the whole
/// roll-out when it is enabled.
torch::Tensor forecast(OperatorModelImpl& model, const Normalizer& normalizer, const OperatorData& data,
                       const torch::Tensor& x, std::int64_t calls);

}  // namespace opforge::train
