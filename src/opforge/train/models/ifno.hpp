#pragma once
/// @file
/// The implicit Fourier neural operator (IFNO, as in LESnets): one Fourier
/// layer, shared, iterated L times with step 1/L:
///   u <- u + (1/L) act(K u + W u)   (L - 1 times)
///   u <- u + (1/L) (K u + W u)      (the last, without activation)
/// between the FNO's lifting (inputs + grid coordinates) and projection.
/// Its parameter count does not grow with depth.

#include "opforge/train/models/fourier_layer.hpp"

namespace opforge::train {

/// The IFNO: one Fourier layer iterated `iterations` (L) times.
struct IfnoOptions : FourierLayerOptions {
  static IfnoOptions parse(const config::Section& section, const ModelShape& shape);
  TORCH_ARG(std::int64_t, iterations) = 20;
};

class IfnoImpl : public FourierModelImpl {
public:
  explicit IfnoImpl(IfnoOptions options);
  torch::Tensor forward(torch::Tensor x) override;
  std::string describe() const override;
  IfnoOptions options;
  SpectralConv spectral{nullptr};  ///< K, shared by every iteration
  PointwiseLinear skip{nullptr};   ///< W, shared by every iteration
};
TORCH_MODULE(Ifno);

}  // namespace opforge::train
