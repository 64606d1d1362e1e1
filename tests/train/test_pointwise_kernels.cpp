#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "opforge/train/spectral/pointwise_kernels.hpp"

namespace {

using namespace opforge::train;

TEST(PointwiseKernels, ErfIsAccurateToFloatRoundingEverywhere) {
  double worst = 0.0;
  for (double x = -10.0; x <= 10.0; x += 1.0 / 4096.0) {
    const double error = std::abs(double(kernels::erf_approx(float(x))) - std::erf(double(float(x))));
    worst = std::max(worst, error);
  }
  EXPECT_LT(worst, 5e-7);
}

TEST(PointwiseKernels, GeluIsTheExactGelu) {
  std::vector<float> x, y(2003);
  for (int i = 0; i < 2003; ++i) x.push_back(-8.0f + 0.008f * float(i));
  kernels::gelu(x.data(), y.data(), static_cast<std::int64_t>(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double exact = 0.5 * x[i] * (1.0 + std::erf(double(x[i]) / std::sqrt(2.0)));
    EXPECT_NEAR(y[i], exact, 1e-6 * (1.0 + std::abs(exact))) << "x = " << x[i];
  }
}

TEST(PointwiseKernels, GeluThenLinearRowsGivesTheActivationAndItsLinearMap) {
  // 70 rows (a full block of 64 and a part), 3 in, 11 out (eight as one
  // vector, three one by one).
  const std::int64_t rows = 70, in = 3, out = 11;
  std::vector<float> x(rows * in), weight(out * in), bias(out), activated(rows * in), y(rows * out);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.05f * float(i % 41) - 1.0f;
  for (std::size_t i = 0; i < weight.size(); ++i) weight[i] = 0.1f * float(i % 7) - 0.3f;
  for (std::size_t i = 0; i < bias.size(); ++i) bias[i] = 0.01f * float(i);
  kernels::gelu_then_linear_rows(x.data(), activated.data(), weight.data(), bias.data(), y.data(), rows, in, out);
  const auto gelu = [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); };
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t i = 0; i < in; ++i) EXPECT_NEAR(activated[r * in + i], gelu(x[r * in + i]), 1e-6);
    for (std::int64_t o = 0; o < out; ++o) {
      double expected = bias[o];
      for (std::int64_t i = 0; i < in; ++i) expected += weight[o * in + i] * gelu(x[r * in + i]);
      EXPECT_NEAR(y[r * out + o], expected, 1e-5) << "row " << r << " output " << o;
    }
  }
}

TEST(PointwiseKernels, AddScaledGeluAddsAStepOfTheExactGelu) {
  std::vector<float> u, x;
  for (int i = 0; i < 301; ++i) {
    u.push_back(-6.0f + 0.04f * float(i));
    x.push_back(0.5f - 0.01f * float(i));
  }
  auto sum = x;
  kernels::add_scaled_gelu(u.data(), 0.25f, sum.data(), static_cast<std::int64_t>(sum.size()));
  for (std::size_t i = 0; i < u.size(); ++i) {
    const double gelu = 0.5 * u[i] * (1.0 + std::erf(double(u[i]) / std::sqrt(2.0)));
    EXPECT_NEAR(sum[i], x[i] + 0.25 * gelu, 2e-6) << "u = " << u[i];
  }
}

TEST(PointwiseKernels, LinearGeluLinearReadsRunsOfACroppedAxis) {
  // 2 channels in, 3 hidden, 1 out; points in runs of 3 out of every 5.
  const std::vector<float> w1{1.0f, -1.0f, 0.5f, 2.0f, -0.25f, 0.0f}, b1{0.1f, -0.2f, 0.3f};
  const std::vector<float> w2{1.0f, -2.0f, 0.5f}, b2{0.7f};
  std::vector<float> x(2 * 4 * 5);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.1f * float(i % 17) - 0.8f;
  const kernels::PointLayout layout{12, 3, 5, 20};
  std::vector<float> y(12);
  kernels::linear_gelu_linear(x.data(), 2, layout, w1.data(), b1.data(), 3, w2.data(), b2.data(), 1, y.data());
  const auto gelu = [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); };
  for (int p = 0; p < 12; ++p) {
    const int offset = (p / 3) * 5 + p % 3;
    double expected = b2[0];
    for (int k = 0; k < 3; ++k)
      expected += w2[k] * gelu(b1[k] + w1[2 * k] * x[offset] + w1[2 * k + 1] * x[20 + offset]);
    EXPECT_NEAR(y[p], expected, 1e-5) << "point " << p;
  }
}

TEST(PointwiseKernels, LinearGeluLinearReadsPointsMajorRuns) {
  // 2 channels (adjacent) per point, points 2 apart within a run of 3 and
  // runs 8 apart: a points-major field of 4 x 4 frames, the last cropped.
  const std::vector<float> w1{1.0f, -1.0f, 0.5f, 2.0f}, b1{0.1f, -0.2f};
  const std::vector<float> w2{1.0f, -2.0f}, b2{0.7f};
  std::vector<float> x(4 * 8);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.1f * float(i % 13) - 0.6f;
  kernels::PointLayout layout;
  layout.points = 12;
  layout.run_length = 3;
  layout.run_stride = 8;
  layout.channel_stride = 1;
  layout.point_stride = 2;
  std::vector<float> y(12);
  kernels::linear_gelu_linear(x.data(), 2, layout, w1.data(), b1.data(), 2, w2.data(), b2.data(), 1, y.data());
  const auto gelu = [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); };
  for (int p = 0; p < 12; ++p) {
    const int offset = (p / 3) * 8 + (p % 3) * 2;
    double expected = b2[0];
    for (int k = 0; k < 2; ++k) expected += w2[k] * gelu(b1[k] + w1[2 * k] * x[offset] + w1[2 * k + 1] * x[offset + 1]);
    EXPECT_NEAR(y[p], expected, 1e-5) << "point " << p;
  }
}

TEST(PointwiseKernels, AddOuterPointsMajorScalesEachPointsValuesByTheProfile) {
  // 2 points, 3 frames, 2 samples, 2 channels; the grid repeats over samples.
  std::vector<double> grid(2 * 3 * 2), values(2 * 2 * 2), out(2 * 3 * 2 * 2);
  for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = double(i);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 100.0 * double(i + 1);
  const std::vector<double> profile{1.0, 0.5, 0.0};
  kernels::add_outer_points_major(grid.data(), values.data(), profile.data(), out.data(), 2, 3, 2, 2);
  for (int p = 0; p < 2; ++p)
    for (int t = 0; t < 3; ++t)
      for (int s = 0; s < 2; ++s)
        for (int c = 0; c < 2; ++c)
          EXPECT_EQ(out[((p * 3 + t) * 2 + s) * 2 + c], grid[(p * 3 + t) * 2 + c] + values[(p * 2 + s) * 2 + c] * profile[t]);
}

TEST(PointwiseKernels, AddOuterAddsEachRowsValueAlongTheRow) {
  // In place, with a profile of ones: the input skip of a roll-out call.
  std::vector<float> y{1, 2, 3, 4, 5, 6};
  const std::vector<float> values{10, -1}, ones{1, 1, 1};
  kernels::add_outer(y.data(), values.data(), ones.data(), y.data(), 1, 2, 3);
  EXPECT_EQ(y, (std::vector<float>{11, 12, 13, 3, 4, 5}));
  // A grid repeated over two samples, values scaled by the profile.
  const std::vector<double> grid{1, 2}, per_sample{3, -2}, profile{1, 0.5};
  std::vector<double> out(4);
  kernels::add_outer(grid.data(), per_sample.data(), profile.data(), out.data(), 2, 1, 2);
  EXPECT_EQ(out, (std::vector<double>{4, 3.5, -1, 1}));
}

}  // namespace
