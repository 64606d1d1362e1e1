#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "opforge/pde/grf.hpp"

namespace {

using opforge::pde::GaussianRandomField;
using opforge::pde::GrfOptions;
using opforge::pde::Random;

/// Empirical pointwise variance and the covariance between two points,
/// against the analytic covariance of the truncated series, on grid sizes
/// that are and are not convenient for FFTs.
void expect_covariance_matches(std::int64_t s, GrfOptions options) {
  const GaussianRandomField grf(s, options);
  const int draws = 3000;
  const std::int64_t i = s / 3, j = s / 2;
  double var_ij = 0, var_corner = 0;
  for (int d = 0; d < draws; ++d) {
    Random random(1000 + d);
    const auto field = grf.sample(random);
    var_ij += field(i, j) * field(i, j);
    var_corner += field(0, s - 1) * field(0, s - 1);
  }
  var_ij /= draws;
  var_corner /= draws;
  // Relative standard error of a variance estimate: sqrt(2 / draws) ~ 2.6%.
  EXPECT_NEAR(var_ij / grf.variance(i, j), 1.0, 0.1) << "s=" << s;
  EXPECT_NEAR(var_corner / grf.variance(0, s - 1), 1.0, 0.1) << "s=" << s;
}

TEST(GaussianRandomField, EmpiricalVarianceMatchesTheAnalyticCovariance) {
  expect_covariance_matches(17, {2.0, 3.0, 1.0, false});
  expect_covariance_matches(23, {2.0, 3.0, 1.0, false});
  expect_covariance_matches(30, {2.5, 7.0, 5.0, false});
}

TEST(GaussianRandomField, SpectrumOfEachModeIsTheOperatorsEigenvalue) {
  // Project draws onto the cosine basis with the discrete inverse (DCT-I
  // orthogonality on the node grid) and compare mode variances with lambda.
  const std::int64_t s = 9;
  const GaussianRandomField grf(s, {2.0, 3.0, 1.0, false});
  const int draws = 4000;
  const std::pair<int, int> modes[] = {{0, 0}, {1, 0}, {2, 3}};
  for (const auto& [k, l] : modes) {
    double var = 0;
    for (int d = 0; d < draws; ++d) {
      Random random(77 + d);
      const auto field = grf.sample(random);
      // Trapezoid weights make the sampled cosines orthogonal.
      double coefficient = 0;
      for (std::int64_t i = 0; i < s; ++i)
        for (std::int64_t j = 0; j < s; ++j) {
          const double wi = (i == 0 || i == s - 1) ? 0.5 : 1.0, wj = (j == 0 || j == s - 1) ? 0.5 : 1.0;
          const double phi_k = (k == 0 ? 1.0 : std::sqrt(2.0)) * std::cos(M_PI * k * double(i) / double(s - 1));
          const double phi_l = (l == 0 ? 1.0 : std::sqrt(2.0)) * std::cos(M_PI * l * double(j) / double(s - 1));
          coefficient += wi * wj * field(i, j) * phi_k * phi_l;
        }
      coefficient /= double((s - 1) * (s - 1));
      var += coefficient * coefficient;
    }
    var /= draws;
    const double lambda = std::pow(grf.mode_std(k, l), 2);
    EXPECT_NEAR(var / lambda, 1.0, 0.1) << "mode (" << k << ", " << l << ")";
  }
}

TEST(GaussianRandomField, ZeroMeanModeOptionRemovesTheConstantMode) {
  const GaussianRandomField grf(11, {2.0, 3.0, 1.0, true});
  EXPECT_EQ(grf.mode_std(0, 0), 0.0);
  EXPECT_GT(grf.mode_std(0, 1), 0.0);
}

TEST(GaussianRandomField, CosineMatrixAndFftwSynthesisAgreeToRounding) {
  for (const std::int64_t s : {3, 8, 9, 102, 141}) {
    GrfOptions fftw_options, matrix_options;
    fftw_options.synthesis = GrfOptions::Synthesis::fftw;
    matrix_options.synthesis = GrfOptions::Synthesis::cosine_matrix;
    const GaussianRandomField by_fftw(s, fftw_options), by_matrix(s, matrix_options);
    ASSERT_FALSE(by_fftw.uses_cosine_matrix());
    ASSERT_TRUE(by_matrix.uses_cosine_matrix());
    Random a(11), b(11);
    const auto expected = by_fftw.sample(a), actual = by_matrix.sample(b);
    double largest = 0.0, error = 0.0;
    for (std::size_t q = 0; q < expected.values.size(); ++q) {
      largest = std::max(largest, std::abs(expected.values[q]));
      error = std::max(error, std::abs(expected.values[q] - actual.values[q]));
    }
    EXPECT_LT(error, 1e-13 * double(s) * largest) << "s=" << s;
  }
}

TEST(GaussianRandomField, AutomaticSynthesisAvoidsFftwOnLargePrimeFactors) {
  // 2(s - 1) = 2 * 101 and 2 * 317: FFTW's slow cases; 420 = 2^2 3 5 7 and 256 are fast.
  EXPECT_TRUE(GaussianRandomField::cosine_matrix_is_faster(102));
  EXPECT_TRUE(GaussianRandomField::cosine_matrix_is_faster(318));
  EXPECT_FALSE(GaussianRandomField::cosine_matrix_is_faster(421));
  EXPECT_FALSE(GaussianRandomField::cosine_matrix_is_faster(257));
  EXPECT_TRUE(GaussianRandomField(102, {}).uses_cosine_matrix());
  EXPECT_FALSE(GaussianRandomField(421, {}).uses_cosine_matrix());
}

TEST(GaussianRandomField, SameRandomStateSameField) {
  const GaussianRandomField grf(421, {});
  Random a(5), b(5);
  EXPECT_EQ(grf.sample(a).values, grf.sample(b).values);
}

}  // namespace
