#pragma once
/// @file
/// The latent grid of a Fourier operator: the layers run on a coarser grid
/// than the data's. The input is restricted onto it and the output
/// interpolated back, both by Fourier resampling on periodic axes. For
/// fields whose frequencies per axis satisfy |k| <= K, a latent axis of
/// 2K + 1 points loses nothing. les3d trajectories are dealiased with the
/// 2/3 rule (|k| <= n/3), so a 32^3 field lives exactly on 21^3 points,
/// where every pointwise layer costs (21/32)^3 = 0.28 of the full grid.
/// The data's grid points do not change: input and output keep their shape.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "opforge/config/config.hpp"

namespace opforge::train {

/// The real [to, from] matrix that maps samples of a periodic function at
/// `from` equispaced points to its trigonometric interpolant at `to` points,
/// keeping frequencies |k| <= K, K = (min(from, to) - 1) / 2 (the Nyquist
/// frequency of an even grid is dropped, so the map stays real). Double.
torch::Tensor fourier_resampling_matrix(std::int64_t from, std::int64_t to);

/// [B, C, n_1..n_d] resampled so that axis a has sizes[a] points (0: left
/// as it is; an axis already of that size is not touched). The result is
/// contiguous, except that an axis left as it is that was a broadcast
/// (stride 0) stays one, the other axes resampled only once for it.
torch::Tensor resample_periodic(const torch::Tensor& x, const std::vector<std::int64_t>& sizes);

/// The spatial sizes [n_1..n_d] of [B, C, n_1..n_d].
std::vector<std::int64_t> spatial_sizes(const torch::Tensor& x);

/// `latent_grid:` of a model section: absent (empty), or one entry per axis,
/// 0 for "the data's size". A resampled axis must be periodic (no padding)
/// and hold the axis' Fourier modes.
std::vector<std::int64_t> parse_latent_grid(const config::Section& section, const std::vector<std::int64_t>& modes,
                                            const std::vector<std::int64_t>& padding);

}  // namespace opforge::train
