#include <fftw3.h>
#include <gtest/gtest.h>

#include <numeric>

#include <cmath>
#include <array>
#include <complex>
#include <random>
#include <vector>

#include "opforge/train/spectral/line_dft.hpp"

namespace {

using namespace opforge::train;
using Complex = std::complex<double>;

/// x[o, j, v] as complex numbers from two planes of [outer, rows, inner].
struct Planes {
  std::int64_t outer, rows, inner;
  std::vector<double> re, im;
  Planes(std::int64_t o, std::int64_t r, std::int64_t i, std::mt19937& random)
      : outer(o), rows(r), inner(i), re(o * r * i), im(o * r * i) {
    std::normal_distribution<double> normal;
    for (auto& v : re) v = normal(random);
    for (auto& v : im) v = normal(random);
  }
  Complex at(std::int64_t o, std::int64_t r, std::int64_t v) const {
    const auto k = (o * rows + r) * inner + v;
    return {re[k], im[k]};
  }
};

Complex direct_dft(const Planes& x, std::int64_t o, std::int64_t v, std::int64_t k, std::int64_t n, int sign) {
  Complex sum = 0;
  for (std::int64_t j = 0; j < n; ++j)
    sum += x.at(o, j, v) * std::polar(1.0, sign * 2.0 * M_PI * double((j * k) % n) / double(n));
  return sum;
}

// The library path on the same layout: FFTW's guru split interface, one
// transform of length n at stride `inner`, repeated over the lanes and the
// outer index (what bench_line_fft_vs_fftw times against the line FFTs).
TEST(LineDft, AgreesWithFftwOnThePointsMajorLayout) {
  std::mt19937 random(11);
  for (const auto& [outer, n, inner] : std::vector<std::array<std::int64_t, 3>>{
           {1, 21, 504}, {21, 21, 24}, {4, 32, 24}, {2, 73, 40}, {3, 12, 130}}) {
    const Planes x(outer, n, inner, random);
    for (const int sign : {-1, +1}) {
      const kernels::LineDft line(n, sign);
      kernels::RowMap identity(static_cast<std::size_t>(n));
      std::iota(identity.begin(), identity.end(), 0);
      const auto size = static_cast<std::size_t>(outer * n * inner);
      std::vector<double> line_re(size), line_im(size), fftw_re(size), fftw_im(size);
      line.apply(x.re.data(), x.im.data(), n, identity, line_re.data(), line_im.data(), n, identity, outer, inner);
      fftw_iodim dim{static_cast<int>(n), static_cast<int>(inner), static_cast<int>(inner)};
      fftw_iodim howmany[2] = {{static_cast<int>(outer), static_cast<int>(n * inner), static_cast<int>(n * inner)},
                               {static_cast<int>(inner), 1, 1}};
      auto in_re = x.re, in_im = x.im;
      // FFTW's split transform is the forward one; swapping real and
      // imaginary parts on both sides gives the backward (+1) one.
      const bool forward = sign < 0;
      fftw_plan plan = fftw_plan_guru_split_dft(1, &dim, 2, howmany, forward ? in_re.data() : in_im.data(),
                                                forward ? in_im.data() : in_re.data(),
                                                forward ? fftw_re.data() : fftw_im.data(),
                                                forward ? fftw_im.data() : fftw_re.data(), FFTW_ESTIMATE);
      ASSERT_NE(plan, nullptr);
      fftw_execute(plan);
      fftw_destroy_plan(plan);
      double worst = 0;
      for (std::size_t k = 0; k < size; ++k)
        worst = std::max(worst, std::hypot(line_re[k] - fftw_re[k], line_im[k] - fftw_im[k]));
      EXPECT_LT(worst, 1e-12 * double(n)) << "n " << n << " inner " << inner << " sign " << sign;
    }
  }
}

TEST(LineDft, EveryRadixGivesTheDirectSumInBothDirections) {
  // 4, 2, 3, 5, 7 and the dense butterfly (13, 73), mixed; lane counts
  // below, at and above the 128-lane tile.
  std::mt19937 random(1);
  for (const std::int64_t n : {1, 2, 3, 4, 5, 7, 8, 12, 16, 21, 52, 60, 64, 73})
    for (const int sign : {-1, 1})
      for (const std::int64_t inner : {1, 19, 130}) {
        const std::int64_t outer = 2;
        const Planes x(outer, n, inner, random);
        Planes y(outer, n, inner, random);
        kernels::RowMap all(static_cast<std::size_t>(n));
        for (std::int64_t e = 0; e < n; ++e) all[e] = e;
        kernels::LineDft(n, sign).apply(x.re.data(), x.im.data(), n, all, y.re.data(), y.im.data(), n, all, outer,
                                        inner);
        double worst = 0.0;
        for (std::int64_t o = 0; o < outer; ++o)
          for (std::int64_t k = 0; k < n; ++k)
            for (std::int64_t v = 0; v < inner; ++v)
              worst = std::max(worst, std::abs(y.at(o, k, v) - direct_dft(x, o, v, k, n, sign)));
        EXPECT_LT(worst, 1e-12 * double(n)) << "n " << n << " sign " << sign << " inner " << inner;
      }
}

TEST(LineDft, RowMapsReadMissingPointsAsZerosAndWriteOnlyKeptFrequencies) {
  // A truncated spectrum of 21 points, 4 per side, in and out: the inverse
  // reads rows 0..7 as frequencies 0..3 and 17..20, the forward writes them.
  std::mt19937 random(2);
  const std::int64_t n = 21, m = 4, outer = 3, inner = 10;
  kernels::RowMap kept(n, -1);
  for (std::int64_t k = 0; k < m; ++k) {
    kept[k] = k;
    kept[n - m + k] = m + k;
  }
  kernels::RowMap all(n);
  for (std::int64_t e = 0; e < n; ++e) all[e] = e;
  const Planes spectrum(outer, 2 * m, inner, random);
  Planes field(outer, n, inner, random);
  kernels::LineDft(n, 1).apply(spectrum.re.data(), spectrum.im.data(), 2 * m, kept, field.re.data(), field.im.data(),
                               n, all, outer, inner);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t v = 0; v < inner; ++v) {
        Complex expected = 0;
        for (std::int64_t k = 0; k < n; ++k)
          if (kept[k] >= 0) expected += spectrum.at(o, kept[k], v) * std::polar(1.0, 2.0 * M_PI * double(j * k) / n);
        EXPECT_LT(std::abs(field.at(o, j, v) - expected), 1e-12);
      }
  Planes back(outer, 2 * m + 1, inner, random);  // one extra row per line, never written
  const auto untouched = back;
  kernels::LineDft(n, -1).apply(field.re.data(), field.im.data(), n, all, back.re.data(), back.im.data(), 2 * m + 1,
                                kept, outer, inner);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t v = 0; v < inner; ++v) {
      for (std::int64_t k = 0; k < n; ++k)
        if (kept[k] >= 0) EXPECT_LT(std::abs(back.at(o, kept[k], v) - direct_dft(field, o, v, k, n, -1)), 1e-11);
      EXPECT_EQ(back.at(o, 2 * m, v), untouched.at(o, 2 * m, v));
    }
}

TEST(LineDft, FloatLinesAgreeWithDoubleToFloatRounding) {
  std::mt19937 random(3);
  const std::int64_t n = 21, outer = 5, inner = 24;
  const Planes x(outer, n, inner, random);
  Planes y(outer, n, inner, random);
  kernels::RowMap all(n);
  for (std::int64_t e = 0; e < n; ++e) all[e] = e;
  kernels::LineDft dft(n, -1);
  dft.apply(x.re.data(), x.im.data(), n, all, y.re.data(), y.im.data(), n, all, outer, inner);
  const std::vector<float> re(x.re.begin(), x.re.end()), im(x.im.begin(), x.im.end());
  std::vector<float> yr(re.size()), yi(re.size());
  dft.apply(re.data(), im.data(), n, all, yr.data(), yi.data(), n, all, outer, inner);
  for (std::size_t i = 0; i < yr.size(); ++i) {
    EXPECT_NEAR(yr[i], y.re[i], 2e-5);
    EXPECT_NEAR(yi[i], y.im[i], 2e-5);
  }
}

TEST(LineDft, RealRowProductsContractTheMiddleAxisAndAddInPlace) {
  // Full eight-lane blocks and a remainder; forward then inverse with an
  // addend that is the output itself.
  std::mt19937 random(4);
  std::normal_distribution<double> normal;
  for (const std::int64_t inner : {8, 13, 3}) {
    const std::int64_t outer = 3, n = 12, m = 3;
    std::vector<double> x(outer * n * inner), matrix(2 * m * n), y_re(outer * m * inner), y_im(outer * m * inner);
    for (auto& v : x) v = normal(random);
    for (auto& v : matrix) v = normal(random);
    kernels::real_rows_forward(x.data(), n, matrix.data(), m, y_re.data(), y_im.data(), outer, inner);
    auto sum = x;  // the addend, summed into in place
    kernels::real_rows_inverse(y_re.data(), y_im.data(), m, matrix.data(), 0.25, n, sum.data(), sum.data(), outer,
                               inner);
    for (std::int64_t o = 0; o < outer; ++o)
      for (std::int64_t v = 0; v < inner; ++v) {
        for (std::int64_t k = 0; k < m; ++k) {
          double re = 0, im = 0;
          for (std::int64_t j = 0; j < n; ++j) {
            re += matrix[k * n + j] * x[(o * n + j) * inner + v];
            im += matrix[(m + k) * n + j] * x[(o * n + j) * inner + v];
          }
          EXPECT_NEAR(y_re[(o * m + k) * inner + v], re, 1e-12);
          EXPECT_NEAR(y_im[(o * m + k) * inner + v], im, 1e-12);
        }
        for (std::int64_t j = 0; j < n; ++j) {
          double expected = x[(o * n + j) * inner + v];
          for (std::int64_t k = 0; k < m; ++k)
            expected += 0.25 * (matrix[k * n + j] * y_re[(o * m + k) * inner + v] +
                                matrix[(m + k) * n + j] * y_im[(o * m + k) * inner + v]);
          EXPECT_NEAR(sum[(o * n + j) * inner + v], expected, 1e-12);
        }
      }
  }
}

TEST(LineDft, BadArgumentsAreRejected) {
  EXPECT_ANY_THROW(kernels::LineDft(0, -1));
  EXPECT_ANY_THROW(kernels::LineDft(8, 2));
  const kernels::LineDft dft(4, -1);
  std::vector<double> x(4), y(4);
  EXPECT_ANY_THROW(dft.apply(x.data(), x.data(), 4, kernels::RowMap{0, 1, 2}, y.data(), y.data(), 4,
                             kernels::RowMap{0, 1, 2, 3}, 1, 1));
}

}  // namespace
