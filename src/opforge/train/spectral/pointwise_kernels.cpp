#include "opforge/train/spectral/pointwise_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

// Each entry point is cloned per instruction set; the loops over a block of
// points vectorise (this file is compiled with -O3).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define OPFORGE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define OPFORGE_CLONES
#endif

namespace opforge::train::kernels {

namespace {

constexpr std::int64_t block = 64;  // points per block: 64 x 32 hidden floats stay in L1

/// erf(x) = x p(x^2) / q(x^2) on [-4, 4] (and +-1 beyond, where erf is 1 to
/// float precision): the rational approximation of XLA and Eigen.
inline float erf_rational(float x) {
  x = std::min(4.0f, std::max(-4.0f, x));
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return x * p / q;
}

inline float gelu_of(float x) { return 0.5f * x * (1.0f + erf_rational(x * 0.70710678118654752f)); }

}  // namespace

float erf_approx(float x) { return erf_rational(x); }

OPFORGE_CLONES void gelu(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = gelu_of(x[i]);
}

OPFORGE_CLONES void gelu_then_linear_rows(const float* x, float* activated, const float* weight, const float* bias,
                                         float* y, std::int64_t rows, std::int64_t in, std::int64_t out) {
  // Eight outputs at a time as one vector (GCC's extension): the sum over
  // the inputs broadcasts each activated value against a column of W.
  typedef float Eight __attribute__((vector_size(8 * sizeof(float))));
  std::vector<float> columns(static_cast<std::size_t>(in * out));  // W transposed: [in, out]
  for (std::int64_t o = 0; o < out; ++o)
    for (std::int64_t i = 0; i < in; ++i) columns[i * out + o] = weight[o * in + i];
  for (std::int64_t start = 0; start < rows; start += block) {
    const std::int64_t count = std::min(block, rows - start);
    const float* xs = x + start * in;
    float* as = activated + start * in;
    for (std::int64_t k = 0; k < count * in; ++k) as[k] = gelu_of(xs[k]);
    for (std::int64_t r = 0; r < count; ++r) {
      const float* a = as + r * in;
      float* yr = y + (start + r) * out;
      std::int64_t o = 0;
      for (; o + 8 <= out; o += 8) {
        Eight sum;
        std::memcpy(&sum, bias + o, sizeof(Eight));
        for (std::int64_t i = 0; i < in; ++i) {
          Eight column;
          std::memcpy(&column, &columns[i * out + o], sizeof(Eight));
          sum += a[i] * column;
        }
        std::memcpy(yr + o, &sum, sizeof(Eight));
      }
      for (; o < out; ++o) {
        float sum = bias[o];
        for (std::int64_t i = 0; i < in; ++i) sum += a[i] * weight[o * in + i];
        yr[o] = sum;
      }
    }
  }
}

OPFORGE_CLONES void add_scaled_gelu(const float* u, float step, float* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] += step * gelu_of(u[i]);
}

OPFORGE_CLONES void linear_gelu_linear(const float* x, std::int64_t in, const PointLayout& layout,
                                       const float* weight1, const float* bias1, std::int64_t hidden,
                                       const float* weight2, const float* bias2, std::int64_t out, float* y) {
  float h[max_hidden * block];  // [hidden, block]
  float xs[max_in * block];     // the block's input, gathered from its runs
  for (std::int64_t start = 0; start < layout.points; start += block) {
    const std::int64_t count = std::min(block, layout.points - start);
    for (std::int64_t i = 0; i < in; ++i)
      for (std::int64_t p = 0; p < count;) {
        const std::int64_t point = start + p, run = point / layout.run_length, t = point - run * layout.run_length;
        const std::int64_t length = std::min(layout.run_length - t, count - p);
        const float* source = x + i * layout.channel_stride + run * layout.run_stride + t * layout.point_stride;
        if (layout.point_stride == 1) {
          std::copy(source, source + length, xs + i * block + p);
        } else {
          for (std::int64_t k = 0; k < length; ++k) xs[i * block + p + k] = source[k * layout.point_stride];
        }
        p += length;
      }
    if (count < block)  // the last block's unused columns: zeros, not garbage
      for (std::int64_t i = 0; i < in; ++i) std::fill(xs + i * block + count, xs + (i + 1) * block, 0.0f);
    for (std::int64_t k = 0; k < hidden; ++k) {
      float* hk = h + k * block;
      for (std::int64_t p = 0; p < block; ++p) hk[p] = bias1[k];
      for (std::int64_t i = 0; i < in; ++i) {
        const float w = weight1[k * in + i];
        const float* xi = xs + i * block;
        for (std::int64_t p = 0; p < block; ++p) hk[p] += w * xi[p];
      }
      for (std::int64_t p = 0; p < block; ++p) hk[p] = gelu_of(hk[p]);
    }
    for (std::int64_t o = 0; o < out; ++o) {
      float sum[block];
      for (std::int64_t p = 0; p < block; ++p) sum[p] = bias2[o];
      for (std::int64_t k = 0; k < hidden; ++k) {
        const float w = weight2[o * hidden + k];
        const float* hk = h + k * block;
        for (std::int64_t p = 0; p < block; ++p) sum[p] += w * hk[p];
      }
      std::copy(sum, sum + count, y + o * layout.points + start);
    }
  }
}

OPFORGE_CLONES void add_outer(const float* grid, const float* values, const float* profile, float* out,
                              std::int64_t samples, std::int64_t rows, std::int64_t length) {
  add_outer<float>(grid, values, profile, out, samples, rows, length);
}

}  // namespace opforge::train::kernels
