#pragma once
/// @file
/// MgNO (He, Liu, Xu, ICLR 2024): every linear operator of a layer is one
/// multi-channel multigrid V-cycle built from small learnable convolutions;
/// a layer is u <- GELU(Vcycle(u) + Conv1x1(u)) and a bias-free 1x1 head maps
/// to the output channels (the reference MgNO_DC). The reference's
/// Navier-Stokes variant (MgNO_NS) is the same model with three options: no
/// 1x1 skip, a LayerNorm after each coarse correction, and the input added to
/// the output. No lifting or projection networks: boundary conditions enter
/// through the convolution padding (zeros: Dirichlet, circular: periodic,
/// reflect: Neumann-like). 1, 2 or 3 spatial dimensions. Parameter names are
/// documented in docs/models.md.

#include <vector>

#include "opforge/train/models/model.hpp"

namespace opforge::train {

/// A convolution over 1-3 spatial axes with a padding mode. Strided ones
/// restrict (n -> ceil(n/2)); transposed ones prolong to a given fine size.
/// Weights are laid out as torch.nn.Conv{d}d / ConvTranspose{d}d and
/// initialised as those are, so weights move to and from PyTorch unchanged.
struct GridConvOptions {
  GridConvOptions(std::int64_t in, std::int64_t out, std::int64_t dims)
      : in_channels_(in), out_channels_(out), spatial_dims_(dims) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, out_channels);
  TORCH_ARG(std::int64_t, spatial_dims);
  TORCH_ARG(std::int64_t, kernel) = 3;
  TORCH_ARG(std::int64_t, stride) = 1;
  TORCH_ARG(bool, transposed) = false;
  TORCH_ARG(bool, bias) = false;
  /// "zeros", "circular" or "reflect" (transposed convolutions: zeros only).
  TORCH_ARG(std::string, padding) = "zeros";
};

class GridConvImpl : public torch::nn::Module {
public:
  explicit GridConvImpl(GridConvOptions options);
  torch::Tensor forward(const torch::Tensor& x);
  /// Transposed only: the result cropped or extended to `fine_sizes`.
  torch::Tensor prolong(const torch::Tensor& x, const std::vector<std::int64_t>& fine_sizes);
  GridConvOptions options;
  torch::Tensor weight, bias;
};
TORCH_MODULE(GridConv);

/// One smoothing step u <- u + S(f - A u); the first step of the finest level
/// has no A and sets u <- S(f).
class SmoothingStepImpl : public torch::nn::Module {
public:
  SmoothingStepImpl(std::int64_t u_channels, std::int64_t f_channels, std::int64_t dims, bool initial,
                    const std::string& padding, bool bias);
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& f);
  GridConv A{nullptr}, S{nullptr};
};
TORCH_MODULE(SmoothingStep);

struct VCycleOptions {
  VCycleOptions(std::int64_t u_channels, std::int64_t f_channels, std::int64_t dims)
      : u_channels_(u_channels), f_channels_(f_channels), spatial_dims_(dims) {}
  TORCH_ARG(std::int64_t, u_channels);
  TORCH_ARG(std::int64_t, f_channels);
  TORCH_ARG(std::int64_t, spatial_dims);
  /// Smoothing steps before coarsening, one entry per level (finest first);
  /// the number of entries is the number of levels. Level 0 needs >= 1.
  TORCH_ARG(std::vector<std::int64_t>, pre_smoothing) = std::vector<std::int64_t>{1, 1, 1, 1, 1, 2};
  /// Steps after the coarse correction, per level (empty: none).
  TORCH_ARG(std::vector<std::int64_t>, post_smoothing) = std::vector<std::int64_t>{};
  TORCH_ARG(std::string, padding) = "zeros";
  TORCH_ARG(std::int64_t, prolongation_kernel) = 4;
  /// Biases in the smoothing convolutions (restrictions and prolongations
  /// have none, as in the reference).
  TORCH_ARG(bool, bias) = false;
  /// Normalise u over its channels and grid after each coarse correction
  /// (LayerNorm with a per-channel affine: GroupNorm with one group).
  TORCH_ARG(bool, level_norm) = false;
};

/// One multigrid V-cycle mapping f (f_channels) to u (u_channels) at the
/// same resolution. Going down, u and f are restricted separately by learned
/// stride-2 convolutions (the residual is not restricted, as in the reference
/// MgConv_DC); going up, a learned transposed convolution of the coarse u is
/// added to the finer u (then normalised with level_norm), then that level's
/// post-smoothing runs.
class VCycleImpl : public torch::nn::Module {
public:
  explicit VCycleImpl(VCycleOptions options);
  torch::Tensor forward(const torch::Tensor& f);
  /// Spatial sizes per level for a finest grid of `sizes` (tests, checks).
  std::vector<std::vector<std::int64_t>> level_sizes(const std::vector<std::int64_t>& sizes) const;
  VCycleOptions options;
  std::vector<std::vector<SmoothingStep>> pre, post;  ///< [level][step]
  std::vector<GridConv> restrict_u, restrict_f;       ///< [level - 1], into level
  std::vector<GridConv> prolong;                      ///< [level - 1], from level
  std::vector<torch::nn::GroupNorm> norms;            ///< [level], level_norm only
};
TORCH_MODULE(VCycle);

struct MgnoOptions {
  static MgnoOptions parse(const config::Section& section, const ModelShape& shape);

  TORCH_ARG(std::int64_t, channels) = 24;
  TORCH_ARG(std::int64_t, layers) = 4;
  TORCH_ARG(std::vector<std::int64_t>, pre_smoothing) = std::vector<std::int64_t>{1, 1, 1, 1, 1, 2};
  TORCH_ARG(std::vector<std::int64_t>, post_smoothing) = std::vector<std::int64_t>{};
  TORCH_ARG(std::string, padding) = "zeros";
  TORCH_ARG(std::int64_t, prolongation_kernel) = 4;
  /// Biases in the smoothing convolutions (the 1x1 skip always has one).
  TORCH_ARG(bool, bias) = false;
  /// The parallel 1x1 convolution of each layer (MgNO_NS has none).
  TORCH_ARG(bool, skip) = true;
  TORCH_ARG(bool, level_norm) = false;
  /// Output = head(u) + the last out_channels input channels (MgNO_NS: the
  /// model predicts the change of the latest frame).
  TORCH_ARG(bool, input_skip) = false;
  TORCH_ARG(std::int64_t, in_channels) = 1;
  TORCH_ARG(std::int64_t, out_channels) = 1;
  TORCH_ARG(std::int64_t, spatial_dims) = 2;
};

class MgnoImpl : public OperatorModelImpl {
public:
  explicit MgnoImpl(MgnoOptions options);
  torch::Tensor forward(torch::Tensor x) override;
  std::string describe() const override;
  MgnoOptions options;
  std::vector<VCycle> vcycles;
  std::vector<GridConv> skip;  ///< 1x1 with bias, per layer (options.skip)
  GridConv head{nullptr};      ///< 1x1, no bias
};
TORCH_MODULE(Mgno);

}  // namespace opforge::train
