#pragma once
/// @file
/// The `dft` backend: each axis is one or two dense GEMMs with a precomputed
/// DFT matrix, last axis first, only the kept modes computed, any n at the
/// same cost per point. Every product consumes the axis at one end of the
/// array and puts the new one at the other (mm with a transposed operand),
/// so no axis is ever transposed in memory. The real and imaginary parts
/// travel as two planes of one real array: every product is a real GEMM
/// over the whole array, and on the inverse one GEMM takes both planes at
/// once (contraction over plane x mode, so a full axis costs two GEMMs, not
/// four, and the last axis one). At the Darcy sizes (n = 52, 73: 43 or 64
/// plus 9 padding, 73 prime) a layer's forward and backward take 3-8x less
/// time than with the FFT (docs/benchmarks.md).
///
/// In evaluation the products write into their outputs and the addend in
/// place, and the modes are mixed by a loop over cached real weight planes
/// (pointwise_kernels.hpp) instead of a complex batched product.

#include <map>
#include <tuple>

#include "opforge/train/spectral/backend.hpp"

namespace opforge::train {

class DftBackend : public SpectralBackend {
public:
  DftBackend(std::vector<std::int64_t> modes, SpectralPhase phase);
  std::string name() const override { return "dft"; }
  torch::Tensor forward(const torch::Tensor& x) override;
  torch::Tensor forward_separable(const torch::Tensor& base, const torch::Tensor& profile) override;
  torch::Tensor mix(const torch::Tensor& planes, const std::vector<torch::Tensor>& corners) override;
  torch::Tensor inverse(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                        const torch::Tensor& addend = {}) override;

protected:
  /// Real DFT matrices of one axis of n points, keeping m frequencies per
  /// side on a full axis and the lowest m on the last:
  /// forward_last [2m, n] real rows then imaginary rows of the rFFT's
  /// first m; forward_full_real / forward_full_imag [4m, n], the products
  /// of the full axis's forward matrix with a real / an imaginary plane,
  /// stacked as [real part; imaginary part] of the result;
  /// inverse_full_real / inverse_full_imag [4m, n], the real / imaginary
  /// part of the inverse applied to [real plane; imaginary plane] rows,
  /// indexed [plane x frequency, point]; inverse_last [2m, n], the C2R
  /// inverse of the last axis, the same way.
  enum class Matrix {
    forward_last,
    forward_full_real,
    forward_full_imag,
    inverse_full_real,
    inverse_full_imag,
    inverse_last
  };
  const torch::Tensor& matrix(Matrix kind, std::int64_t n, std::int64_t m, c10::ScalarType real_type);
  /// The result's shape [B, C, sizes...] of inverse(planes, sizes), checked
  /// against the addend's when there is one.
  std::vector<std::int64_t> inverse_shape(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                          const torch::Tensor& addend) const;
  const bool evaluation_;

private:
  /// The full axes of forward: `planes` [rows, ...] holds x's leading axes
  /// in its columns (one real row for a real field, otherwise real rows
  /// then imaginary rows); each axis, last first, is consumed and its 2m
  /// modes put in front, in `shape` too.
  torch::Tensor forward_full_axes(torch::Tensor planes, const torch::Tensor& x, std::vector<std::int64_t>& shape);
  /// The corner weights as real planes [2, modes, in, out], contiguous; kept
  /// in evaluation until a weight changes its storage or version (joining
  /// and transposing the corners copies every weight, a tenth of a LESnets
  /// call).
  torch::Tensor weight_planes(const std::vector<torch::Tensor>& corners);

  /// DFT matrices by (kind, n, m, real dtype): built once per grid size.
  std::map<std::tuple<Matrix, std::int64_t, std::int64_t, c10::ScalarType>, torch::Tensor> matrices_;
  torch::Tensor weight_planes_;
  WeightsKey weight_planes_key_;
};

}  // namespace opforge::train
