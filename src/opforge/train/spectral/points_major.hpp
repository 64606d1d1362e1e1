#pragma once
/// @file
/// The points-major layout of a field [B, C, n_1..n_d]: [n_1..n_d, B, C] in
/// memory (a dense permuted view), each point's B x C values contiguous.
/// The line FFTs (line_dft.hpp) and the fused evaluation kernels read and
/// write it; LibTorch sees the same logical shape.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace opforge::train {

/// Whether x [B, C, n_1..n_d] is laid out points-major.
bool is_points_major(const torch::Tensor& x);
/// The memory-order view [n_1..n_d, B, C] of a points-major x (contiguous),
/// and the logical [B, C, n_1..n_d] view of such a memory-order tensor.
torch::Tensor points_major_memory(const torch::Tensor& x);
torch::Tensor points_major_view(const torch::Tensor& memory);
/// A new points-major tensor of logical shape `sizes` [B, C, n_1..n_d].
torch::Tensor empty_points_major(const std::vector<std::int64_t>& sizes, const torch::TensorOptions& options);
/// x copied points-major (x itself when it already is).
torch::Tensor to_points_major(const torch::Tensor& x);

}  // namespace opforge::train
