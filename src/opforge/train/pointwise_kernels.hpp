#pragma once
/// @file
/// Fused pointwise kernels for evaluation without autograd, on raw float
/// arrays laid out channels first ([channels, points] per sample). Each is
/// compiled for AVX-512, AVX2 and baseline x86-64 and picks the best the CPU
/// has at load time. GELU is the exact one, 0.5 x (1 + erf(x / sqrt 2)),
/// with erf from a rational approximation accurate to float rounding (the
/// error bound is tested against std::erf).
///
/// Why: LibTorch's GELU took 0.6-0.9 ns per element here, and the FNO
/// projection head (width -> 32 -> 3 with a GELU between) writes and reads a
/// 32-wide intermediate; fused, the intermediate never leaves the cache.

#include <cstdint>

namespace opforge::train::kernels {

/// The layout of a [channels, points] input whose points come in runs:
/// point p = run * run_length + t sits at channel * channel_stride +
/// run * run_stride + t (a cropped last axis: run_length < run_stride).
struct PointLayout {
  std::int64_t points = 0;
  std::int64_t run_length = 0;
  std::int64_t run_stride = 0;
  std::int64_t channel_stride = 0;
};

/// The most channels linear_gelu_linear takes in and in between.
constexpr std::int64_t max_in = 64;
constexpr std::int64_t max_hidden = 256;

/// erf(x), the scalar used by the kernels.
float erf_approx(float x);

/// y = gelu(x) elementwise over n values (y may be x).
void gelu(const float* x, float* y, std::int64_t n);

/// y = W2 gelu(W1 x + b1) + b2: the projection head. x [in, points] in
/// `layout`, W1 [hidden, in], W2 [out, hidden], y [out, points] contiguous.
void linear_gelu_linear(const float* x, std::int64_t in, const PointLayout& layout, const float* weight1,
                        const float* bias1, std::int64_t hidden, const float* weight2, const float* bias2,
                        std::int64_t out, float* y);

}  // namespace opforge::train::kernels
