#pragma once
/// @file
/// The truncated Fourier transform of a Fourier layer: real [B, C, n_1..n_d]
/// to the kept modes of its rFFT and back. On axes 1..d-1 the lowest and the
/// highest m_a frequencies are kept, on the last (real-to-complex) axis the
/// lowest m_d, so the spectrum has shape [B, C, 2m_1, ..., 2m_{d-1}, m_d]
/// with the high half in the second half of each axis. Normalisation is
/// rFFT's default ("backward": the inverse divides by the number of points).
///
/// Two implementations compute the same function:
/// - `dft`: each axis is one or two dense GEMMs with a precomputed DFT
///   matrix, last axis first, only the kept modes computed, any n at the
///   same cost per point. Every product consumes the axis at one end of the
///   array and puts the new one at the other (mm with a transposed operand),
///   so no axis is ever transposed in memory. The real and imaginary parts
///   travel as two planes of one real array, [2, modes..., B, C]: every
///   product is a real GEMM over the whole array, and on the inverse one
///   GEMM takes both planes at once (contraction over plane x mode, so a
///   full axis costs two GEMMs, not four, and the last axis one). The
///   result comes out modes-first: the layout forward_planes returns and
///   inverse_planes takes. (One small GEMM per line of the array, as a
///   batched product, cost ~50,000 tiny BLAS calls per LESnets call.)
///   At the Darcy sizes (n = 52, 73: 43 or 64 plus 9 padding, 73 prime) a
///   layer's forward and backward take 3-8x less time than with the FFT.
///   In evaluation (no autograd) a points-major field (is_points_major)
///   takes line FFTs instead (line_dft.hpp): every axis is transformed in
///   place with the channels as vector lanes, a quarter of the time on a
///   LESnets layer. Fourier layers keep the points-major layout from one to
///   the next once their input has it.
/// - `fft`: torch::fft::rfftn of the whole grid, then slicing (and
///   irfftn of the zero-filled spectrum), as the reference FNO code does.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <torch/torch.h>

#include "opforge/train/spectral/line_dft.hpp"

namespace opforge::train {

enum class SpectralTransform { dft, fft };

/// "dft" or "fft".
SpectralTransform parse_spectral_transform(const std::string& name);
std::string to_string(SpectralTransform transform);

/// The most modes an axis of `points` points can keep: points/2 on the
/// two-sided axes (low and high halves must not overlap), points/2 + 1 on
/// the last, real-to-complex one.
inline std::int64_t max_kept_modes(std::int64_t points, bool last_axis) {
  return last_axis ? points / 2 + 1 : points / 2;
}

/// Whether x [B, C, n_1..n_d] is laid out points-major, [n_1..n_d, B, C]
/// in memory (a dense permuted view): what the line FFTs read and write.
bool is_points_major(const torch::Tensor& x);
/// The memory-order view [n_1..n_d, B, C] of a points-major x (contiguous),
/// and the logical [B, C, n_1..n_d] view of such a memory-order tensor.
torch::Tensor points_major_memory(const torch::Tensor& x);
torch::Tensor points_major_view(const torch::Tensor& memory);
/// A new points-major tensor of logical shape `sizes` [B, C, n_1..n_d].
torch::Tensor empty_points_major(const std::vector<std::int64_t>& sizes, const torch::TensorOptions& options);
/// x copied points-major (x itself when it already is).
torch::Tensor to_points_major(const torch::Tensor& x);

class TruncatedSpectrum {
public:
  TruncatedSpectrum(std::vector<std::int64_t> modes, SpectralTransform transform);

  /// real [B, C, n_1..n_d] -> complex [B, C, 2m_1, ..., 2m_{d-1}, m_d]
  torch::Tensor forward(const torch::Tensor& x);
  /// complex [B, C, 2m_1, ..., m_d] -> real [B, C, sizes...]: the inverse
  /// rFFT of the spectrum zero-filled to full size.
  torch::Tensor inverse(const torch::Tensor& spectrum, const std::vector<std::int64_t>& sizes);

  /// The same transforms with the modes first: real [B, C, n_1..n_d] ->
  /// complex [2m_1, ..., 2m_{d-1}, m_d, B, C], and back. Per-mode channel
  /// mixing reads it as [modes, B, C].
  torch::Tensor forward_modes_first(const torch::Tensor& x);
  torch::Tensor inverse_modes_first(const torch::Tensor& spectrum, const std::vector<std::int64_t>& sizes);

  /// The modes-first spectrum as real planes, [2, 2m_1, ..., m_d, B, C]
  /// (real parts, then imaginary parts): what the dft path computes, without
  /// the copies into and out of an interleaved complex tensor.
  torch::Tensor forward_planes(const torch::Tensor& x);
  /// forward_planes of base x profile, the field [B, C, n_1..n_{d-1}, n_d]
  /// whose last axis is `profile` [n_d] times `base` [B, C, n_1..n_{d-1}, 1]
  /// (a field constant in time, zero-padded: the roll-out's u0 over its
  /// frames). The transform is separable: the leading axes transform `base`
  /// alone and the last one `profile` alone, then the two spectra multiply;
  /// a LESnets layer input (3 channels of u0 for 8 lifted ones over 12
  /// frames) costs an eighth of forward_planes.
  torch::Tensor forward_planes_separable(const torch::Tensor& base, const torch::Tensor& profile);
  /// The inverse of planes [2, 2m_1, ..., m_d, B, C], plus `addend` (same
  /// shape as the result) when it is defined: the last product starts from
  /// it instead of a separate pass. Without autograd a contiguous or
  /// points-major addend receives the sum in its storage: pass a temporary
  /// not needed again. The result has the addend's layout.
  torch::Tensor inverse_planes(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                               const torch::Tensor& addend = {});

private:
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
  /// The full axes of forward_planes: `planes` [rows, ...] holds x's
  /// leading axes in its columns (one real row for a real field, otherwise
  /// real rows then imaginary rows); each axis, last first, is consumed and
  /// its 2m modes put in front, in `shape` too.
  torch::Tensor forward_full_axes(torch::Tensor planes, const torch::Tensor& x, std::vector<std::int64_t>& shape);
  /// The line-FFT forms of forward_planes and inverse_planes (points-major,
  /// no autograd, float or double, dft); inverse_planes has checked the
  /// addend's shape.
  torch::Tensor forward_points_major(const torch::Tensor& x);
  torch::Tensor inverse_points_major(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                     const torch::Tensor& addend);
  bool line_ffts_apply(const torch::Tensor& x) const;
  /// [2, 2m_1, ..., 2m_{d-1}, m_d, B, C]: the planes' shape.
  std::vector<std::int64_t> planes_shape(std::int64_t batch, std::int64_t channels) const;
  const kernels::LineDft& line_dft(std::int64_t n, int sign);
  torch::Tensor forward_fft(const torch::Tensor& x) const;
  torch::Tensor inverse_fft(const torch::Tensor& spectrum, const std::vector<std::int64_t>& sizes) const;

  std::vector<std::int64_t> modes_;
  SpectralTransform transform_;
  /// DFT matrices by (kind, n, m, real dtype): built once per grid size.
  std::map<std::tuple<Matrix, std::int64_t, std::int64_t, c10::ScalarType>, torch::Tensor> matrices_;
  /// Line-FFT plans by (points, sign).
  std::map<std::pair<std::int64_t, int>, kernels::LineDft> line_dfts_;
};

}  // namespace opforge::train
