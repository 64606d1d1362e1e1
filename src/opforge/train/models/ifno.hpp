#pragma once
/// @file
/// The implicit Fourier neural operator (IFNO, as in LESnets): one Fourier
/// layer, shared, iterated L times with step 1/L:
///   u <- u + (1/L) act(K u + W u)   (L - 1 times)
///   u <- u + (1/L) (K u + W u)      (the last, without activation)
/// between the FNO's lifting (inputs + grid coordinates) and projection.
/// Its parameter count does not grow with depth.

#include <vector>

#include "opforge/train/models/fno.hpp"

namespace opforge::train {

struct IfnoOptions {
  static IfnoOptions parse(const config::Section& section, const ModelShape& shape);

  TORCH_ARG(std::vector<std::int64_t>, modes) = {12, 12};
  TORCH_ARG(std::int64_t, width) = 32;
  TORCH_ARG(std::int64_t, iterations) = 20;  ///< L
  TORCH_ARG(std::vector<std::int64_t>, padding) = {0, 0};
  TORCH_ARG(std::vector<std::int64_t>, latent_grid) = {};  ///< as FnoOptions
  TORCH_ARG(std::int64_t, projection) = 128;
  TORCH_ARG(std::string, activation) = "gelu";
  /// Add the input to the output (needs C_in = C_out): the operator learns
  /// the change from its input, e.g. u(t_k) - u0 in a space-time roll-out.
  TORCH_ARG(bool, input_skip) = false;
  TORCH_ARG(SpectralTransform, spectral_transform) = SpectralTransform::dft;
  TORCH_ARG(std::int64_t, in_channels) = 1;
  TORCH_ARG(std::int64_t, out_channels) = 1;
};

class IfnoImpl : public OperatorModelImpl {
public:
  explicit IfnoImpl(IfnoOptions options);
  torch::Tensor forward(torch::Tensor x) override;
  std::string describe() const override;
  IfnoOptions options;
  PointwiseLinear lift{nullptr};
  SpectralConv spectral{nullptr};  ///< K, shared by every iteration
  PointwiseLinear skip{nullptr};   ///< W, shared by every iteration
  PointwiseLinear project1{nullptr}, project2{nullptr};

private:
  ConstantInputFirstLayer constant_input_first_layer_;
};
TORCH_MODULE(Ifno);

}  // namespace opforge::train
