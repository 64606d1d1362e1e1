#pragma once
/// @file
/// Fused pointwise kernels for evaluation without autograd, on raw float
/// arrays laid out channels first ([channels, points] per sample) or
/// points-major ([points, samples, channels], the line FFTs'). Each is
/// compiled for AVX-512, AVX2 and baseline x86-64 and picks the best the CPU
/// has at load time. GELU is the exact one, 0.5 x (1 + erf(x / sqrt 2)),
/// with erf from a rational approximation accurate to float rounding (the
/// error bound is tested against std::erf).
///
/// Why: LibTorch's GELU took 0.6-0.9 ns per element here, and the FNO
/// projection head (width -> 32 -> 3 with a GELU between) writes and reads a
/// 32-wide intermediate; fused, the intermediate never leaves the cache.

#include <algorithm>
#include <cstdint>

namespace opforge::train::kernels {

/// The layout of a [channels, points] input whose points come in runs:
/// point p = run * run_length + t sits at channel * channel_stride +
/// run * run_stride + t * point_stride (a cropped last axis: run_length *
/// point_stride < run_stride; points-major: point_stride B x C).
struct PointLayout {
  std::int64_t points = 0;
  std::int64_t run_length = 0;
  std::int64_t run_stride = 0;
  std::int64_t channel_stride = 0;
  std::int64_t point_stride = 1;
};

/// The most channels linear_gelu_linear takes in and in between.
constexpr std::int64_t max_in = 64;
constexpr std::int64_t max_hidden = 256;

/// erf(x), the scalar used by the kernels.
float erf_approx(float x);

/// y = gelu(x) elementwise over n values (y may be x).
void gelu(const float* x, float* y, std::int64_t n);

/// For each of `rows` rows of `in` values x (a points-major field's
/// [points x B, C]): a = gelu(x) and y = W a + b, W [out, in]; a [rows,
/// in] and y [rows, out]. A Fourier layer's activation and skip in one
/// pass: the activated field is read once, from the cache, instead of
/// again from memory by a GEMM.
void gelu_then_linear_rows(const float* x, float* activated, const float* weight, const float* bias, float* y,
                           std::int64_t rows, std::int64_t in, std::int64_t out);

/// x += step gelu(u) elementwise over n values: an iterated layer's update.
void add_scaled_gelu(const float* u, float step, float* x, std::int64_t n);

/// y = W2 gelu(W1 x + b1) + b2: the projection head. x [in, points] in
/// `layout`, W1 [hidden, in], W2 [out, hidden], y [out, points] contiguous.
void linear_gelu_linear(const float* x, std::int64_t in, const PointLayout& layout, const float* weight1,
                        const float* bias1, std::int64_t hidden, const float* weight2, const float* bias2,
                        std::int64_t out, float* y);

/// out[s, r, t] = grid[r, t] + values[s, r] profile[t] for s < samples,
/// r < rows, t < length: a field constant along the last axis, scaled by
/// `profile`, added to `grid`, which repeats over the samples; out may be
/// grid (samples 1). Used for the input skip of a roll-out call (LibTorch's
/// broadcast addition took 1.4 ms on a LESnets output, whose last axis is
/// 10 long).
template <typename T>
inline void add_outer(const T* grid, const T* values, const T* profile, T* out, std::int64_t samples,
                      std::int64_t rows, std::int64_t length) {
  for (std::int64_t s = 0; s < samples; ++s)
    for (std::int64_t r = 0; r < rows; ++r) {
      const T value = values[s * rows + r];
      const T* g = grid + r * length;
      T* o = out + (s * rows + r) * length;
      for (std::int64_t t = 0; t < length; ++t) o[t] = g[t] + value * profile[t];
    }
}
/// The same sum points-major: out[p, t, s, c] = grid[p, t, c] + values[p,
/// s, c] profile[t] (points p, frames t, samples s, channels c): the first
/// layer's lifted input and skip in the layout of the line FFTs.
template <typename T>
inline void add_outer_points_major(const T* grid, const T* values, const T* profile, T* out, std::int64_t points,
                                   std::int64_t length, std::int64_t samples, std::int64_t channels) {
  for (std::int64_t p = 0; p < points; ++p)
    for (std::int64_t t = 0; t < length; ++t)
      for (std::int64_t s = 0; s < samples; ++s) {
        const T* g = grid + (p * length + t) * channels;
        const T* v = values + (p * samples + s) * channels;
        T* o = out + ((p * length + t) * samples + s) * channels;
        for (std::int64_t c = 0; c < channels; ++c) o[c] = g[c] + v[c] * profile[t];
      }
}
/// add_outer for float, cloned per instruction set (the input skip takes
/// 0.26 ms with it, 0.34 with the baseline build).
void add_outer(const float* grid, const float* values, const float* profile, float* out, std::int64_t samples,
               std::int64_t rows, std::int64_t length);

/// out[k, b, o] = sum_i x[k, b, i] w[k, i, o] in complex arithmetic on real
/// planes, for the modes k in [begin, end): x [2, K, B, in], w [2, K, in,
/// out], out [2, K, B, out]. Eight outputs at a time stay in registers
/// across the sum; the batched complex product it replaces in evaluation
/// took twice as long (1.5 against 0.7 ms for a LESnets layer, 24,000 modes
/// of 8 x 8). A template built where it is used, for float and double: its
/// AVX2 and AVX-512 clones were slower than the baseline build.
template <typename T>
inline void mix_mode_planes_range(const T* x, const T* w, T* y, std::int64_t modes, std::int64_t batch,
                                  std::int64_t in, std::int64_t out, std::int64_t begin, std::int64_t end) {
  constexpr std::int64_t chunk = 8;
  const T *x_re = x, *x_im = x + modes * batch * in, *w_re = w, *w_im = w + modes * in * out;
  T *y_re = y, *y_im = y + modes * batch * out;
  for (std::int64_t k = begin; k < end; ++k)
    for (std::int64_t b = 0; b < batch; ++b) {
      const std::int64_t row = k * batch + b;
      for (std::int64_t first = 0; first < out; first += chunk) {
        const std::int64_t width = std::min(chunk, out - first);
        T sum_re[chunk] = {}, sum_im[chunk] = {};
        for (std::int64_t i = 0; i < in; ++i) {
          const T a = x_re[row * in + i], c = x_im[row * in + i];
          const T *wr = w_re + (k * in + i) * out + first, *wi = w_im + (k * in + i) * out + first;
          if (width == chunk) {  // a fixed trip count: unrolled and vectorised
            for (std::int64_t o = 0; o < chunk; ++o) {
              sum_re[o] += a * wr[o] - c * wi[o];
              sum_im[o] += a * wi[o] + c * wr[o];
            }
          } else {
            for (std::int64_t o = 0; o < width; ++o) {
              sum_re[o] += a * wr[o] - c * wi[o];
              sum_im[o] += a * wi[o] + c * wr[o];
            }
          }
        }
        std::copy(sum_re, sum_re + width, y_re + row * out + first);
        std::copy(sum_im, sum_im + width, y_im + row * out + first);
      }
    }
}

}  // namespace opforge::train::kernels
