#include <gtest/gtest.h>

#include <cmath>

#include "opforge/train/data/data.hpp"

namespace {

using namespace opforge::train;

/// sin(2 pi k x) sampled on a periodic grid of n points, as [1, 1, n].
torch::Tensor mode(std::int64_t k, std::int64_t n) {
  return torch::sin(2 * M_PI * double(k) * torch::arange(n, torch::kFloat64) / double(n)).view({1, 1, n});
}

TEST(Losses, RelativeL2OfOneModeOnAnotherIsTheAmplitudeRatio) {
  const auto truth = mode(1, 32);
  EXPECT_NEAR(relative_l2(truth + 0.1 * mode(5, 32), truth).item<double>(), 0.1, 1e-12);
}

TEST(Losses, RelativeH1WeighsEachWavenumberBySqrtOnePlusKSquared) {
  // Error in mode 5, truth in mode 1: 0.1 sqrt(1 + 25) / sqrt(1 + 1).
  const auto truth = mode(1, 32);
  EXPECT_NEAR(relative_h1(truth + 0.1 * mode(5, 32), truth).item<double>(), 0.1 * std::sqrt(26.0 / 2.0), 1e-12);
  // 2D: error along the second axis only, mode 3 -> weight sqrt(1 + 9); truth constant in y.
  const auto x = mode(1, 16).view({1, 1, 16, 1}).expand({1, 1, 16, 8});
  const auto e = mode(3, 8).view({1, 1, 1, 8}).expand({1, 1, 16, 8});
  EXPECT_NEAR(relative_h1(x + 0.2 * e, x).item<double>(), 0.2 * std::sqrt(10.0 / 2.0), 1e-12);
}

TEST(Losses, RelativeH1IsDifferentiable) {
  auto prediction = (mode(2, 16) * 1.1).requires_grad_(true);
  relative_h1(prediction, mode(2, 16)).sum().backward();
  EXPECT_GT(prediction.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
