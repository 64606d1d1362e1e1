#pragma once
/// @file
/// Discrete Fourier transforms along the middle axis of [outer, n, inner]
/// arrays, the `inner` values of each point being the vector lanes: the
/// transforms of a points-major field ([n_1, ..., n_d, batch, channels] in
/// memory), where every axis has whole channel vectors under it. No torch.
///
/// Complex data travel as two planes (real parts, imaginary parts). The
/// full transform is a Stockham autosort FFT, mixed radix: n is split into
/// factors 4, 2, 3, 5, 7 (any other prime takes an O(p^2) butterfly), each
/// stage reads and writes whole rows of lanes, so every loop runs over
/// contiguous lanes, and the output comes out in natural order without a
/// bit-reversal pass. On 21 points (3 x 7, the LESnets latent grid) that is
/// about 30 flops per point and line, against 168 for a dense DFT (which is
/// what the GEMM form of the truncated transform computes).
///
/// Why not the GEMMs of TruncatedSpectrum's dft path: they run near the
/// core's peak, but do six times the arithmetic on such an axis. Measured
/// on a LESnets layer (21^3 x 12 frames, 8 channels, one core): forward
/// transform 1.0 ms against 2.2, inverse about 1.1 against 2. The fourth,
/// short real axis (12 frames, 3 modes) stays a dense product.
///
/// Why not FFTW (bench_line_fft_vs_fftw, the guru split interface on this
/// layout): the spatial axes of one layer take 0.66-0.68 ms here against
/// 2.0-2.35 ms on 21^3 x 24 lanes, 2.7-3.5 against 6.9-7.0 ms on 32^3; but
/// on a prime length (73, the Darcy FNO's padded grid) FFTW is 1.6x faster,
/// so such lengths must not take this path. Tested against FFTW.

#include <cstdint>
#include <vector>

namespace opforge::train::kernels {

/// Rows of one line of an [outer, rows, inner] array that the transform
/// reads or writes, indexed by point (input) or by frequency (output); -1
/// marks a point read as zero or a frequency that is not kept. This is how
/// the truncated spectra of the Fourier layers are read and written: only
/// the low and high modes have rows.
using RowMap = std::vector<std::int64_t>;

class LineDft {
public:
  /// sign -1: X_k = sum_j x_j e^{-2 pi i jk/n}; +1: the same with e^{+...},
  /// unnormalised.
  LineDft(std::int64_t n, int sign);
  std::int64_t points() const { return n_; }
  /// For every o < outer and lane v < inner: the transform of the line
  /// x[o, point_rows[j], v] (zero where the map says -1), written to
  /// y[o, frequency_rows[k], v] for the kept frequencies. x [outer, x_rows,
  /// inner] and y [outer, y_rows, inner] are planes of real and imaginary
  /// parts; y must not overlap x. float and double.
  template <typename T>
  void apply(const T* x_re, const T* x_im, std::int64_t x_rows, const RowMap& point_rows, T* y_re, T* y_im,
             std::int64_t y_rows, const RowMap& frequency_rows, std::int64_t outer, std::int64_t inner) const;

  struct Stage {
    int radix = 1;
    std::int64_t length = 1;  ///< points of the sub-transforms this stage splits
    std::int64_t stride = 1;  ///< their number
    /// e^{sign 2 pi i j u / length}, [length / radix][radix - 1], u >= 1.
    std::vector<double> twiddle_re, twiddle_im;
    std::vector<float> twiddle_re_f, twiddle_im_f;
    /// The butterfly's roots: cos and sign x sin of 2 pi t u / radix,
    /// [radix][radix].
    std::vector<double> root_cos, root_sin;
    std::vector<float> root_cos_f, root_sin_f;
  };

private:
  std::int64_t n_;
  int sign_;
  std::vector<Stage> stages_;
};

/// The real-to-complex transform of the last axis, kept frequencies only,
/// by a dense product: y_re[o, k, v] = sum_j matrix[k, j] x[o, j, v] and
/// y_im[o, k, v] = sum_j matrix[m + k, j] x[o, j, v] for k < m, matrix
/// [2m, n] (TruncatedSpectrum's forward_last).
template <typename T>
void real_rows_forward(const T* x, std::int64_t n, const T* matrix, std::int64_t m, T* y_re, T* y_im,
                       std::int64_t outer, std::int64_t inner);

/// Its inverse, complex to real: y[o, j, v] = addend[o, j, v] + scale x
/// sum_k (matrix[k, j] x_re[o, k, v] + matrix[m + k, j] x_im[o, k, v]),
/// matrix [2m, n] (inverse_last). addend may be y or null (zero).
template <typename T>
void real_rows_inverse(const T* x_re, const T* x_im, std::int64_t m, const T* matrix, T scale, std::int64_t n,
                       const T* addend, T* y, std::int64_t outer, std::int64_t inner);

}  // namespace opforge::train::kernels
