#pragma once
/// @file
/// The Fourier neural operator (Li et al., ICLR 2021) in 1, 2 or 3 spatial
/// dimensions, as in the reference code's GELU + padding + grid version:
/// lifting (pointwise linear on the input channels and grid coordinates),
/// L Fourier layers u <- act(K u + W u) (no activation after the last),
/// projection (pointwise, width -> projection -> out). Parameter names are
/// documented in docs/models.md.

#include <vector>

#include "opforge/train/models/fourier_layer.hpp"

namespace opforge::train {

/// The FNO: `layers` Fourier layers, each with its own weights.
struct FnoOptions : FourierLayerOptions {
  static FnoOptions parse(const config::Section& section, const ModelShape& shape);
  TORCH_ARG(std::int64_t, layers) = 4;
};

class FnoImpl : public FourierModelImpl {
public:
  explicit FnoImpl(FnoOptions options);
  torch::Tensor forward(torch::Tensor x) override;
  std::string describe() const override;
  FnoOptions options;
  std::vector<SpectralConv> spectral;
  std::vector<PointwiseLinear> skip;
};
TORCH_MODULE(Fno);

}  // namespace opforge::train
