#include <gtest/gtest.h>

#include <cmath>

#include "opforge/config/config.hpp"
#include "opforge/train/models/fno.hpp"
#include "opforge/train/models/latent_grid.hpp"

namespace {

using namespace opforge;
using namespace opforge::train;

const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);

/// sum_k a_k cos(2 pi k x + phi_k) over k = 0..10 at n equispaced points of [0, 1).
torch::Tensor trigonometric_polynomial(std::int64_t n) {
  const auto x = torch::arange(n, f64) / double(n);
  auto f = torch::full({n}, 0.3, f64);
  for (int k = 1; k <= 10; ++k) f += std::sin(1.0 + k) * torch::cos(2.0 * M_PI * k * x + 0.7 * k);
  return f;
}

/// The part of a real [..., n, n, n] field with |k_a| <= kept on each of its last three axes.
torch::Tensor band_limited_part(const torch::Tensor& u, std::int64_t kept) {
  const auto n = u.size(-1);
  const auto k = torch::fft::fftfreq(n, 1.0 / double(n), f64).abs() <= double(kept);
  const auto mask = k.view({-1, 1, 1}) & k.view({1, -1, 1}) & k.view({1, 1, -1});
  const std::vector<std::int64_t> axes{-3, -2, -1};
  return torch::real(torch::fft::ifftn(torch::fft::fftn(u, c10::nullopt, axes) * mask, c10::nullopt, axes));
}

std::shared_ptr<OperatorModelImpl> model(const std::string& yaml, ModelShape shape) {
  return make_model(config::Document::parse(yaml, "model.yaml").root().section("model"), shape);
}

TEST(LatentGrid, ResamplingEvaluatesTheTrigonometricInterpolantAtTheNewPoints) {
  // Frequencies up to 10 live exactly on 21 or more points, in both directions.
  for (const auto& [from, to] : {std::pair{32, 21}, std::pair{21, 32}, std::pair{21, 23}}) {
    const auto resampled = fourier_resampling_matrix(from, to).mv(trigonometric_polynomial(from));
    EXPECT_LT((resampled - trigonometric_polynomial(to)).abs().max().item<double>(), 1e-12) << from << " -> " << to;
  }
}

TEST(LatentGrid, AnEvenGridDropsItsNyquistFrequency) {
  // 22 points hold k = 11 only as a cosine aliased with the sine: the map keeps |k| <= 10.
  const auto x = torch::arange(32, f64) / 32.0;
  const auto nyquist_of_22 = torch::cos(2.0 * M_PI * 11.0 * x);
  EXPECT_LT(fourier_resampling_matrix(32, 22).mv(nyquist_of_22).abs().max().item<double>(), 1e-12);
}

TEST(LatentGrid, RestrictingAndInterpolatingABandLimitedFieldLosesNothing) {
  torch::manual_seed(5);
  // The les3d case: 32^3 dealiased with the 2/3 rule keeps |k| <= 10.
  const auto u = band_limited_part(torch::randn({1, 1, 32, 32, 32}, f64), 10);
  const auto latent = resample_periodic(u, {21, 21, 21});
  EXPECT_EQ(latent.sizes(), (std::vector<std::int64_t>{1, 1, 21, 21, 21}));
  EXPECT_LT((resample_periodic(latent, {32, 32, 32}) - u).abs().max().item<double>(), 1e-12);
  // A component beyond |k| = 10 is what the round trip removes, and only that.
  const auto high = band_limited_part(torch::randn({1, 1, 32, 32, 32}, f64), 12);
  const auto kept = resample_periodic(resample_periodic(high, {21, 21, 21}), {32, 32, 32});
  const auto low = band_limited_part(high, 10);
  EXPECT_GT((high - low).abs().max().item<double>(), 1e-2);
  EXPECT_LT((kept - low).abs().max().item<double>(), 1e-12);
}

TEST(LatentGrid, EveryAxisIsResampledByItsMatrixIntoAContiguousArray) {
  // Long and short runs of points after an axis take different products; a
  // trailing axis that is not resampled (time) gives the shortest.
  torch::manual_seed(6);
  const auto x = torch::randn({2, 3, 12, 9, 7, 4}, f64);
  const std::vector<std::int64_t> sizes{5, 13, 7, 0};
  auto expected = x;
  const std::vector<std::string> contractions{"ji,bcixyt->bcjxyt", "ji,bcxiyt->bcxjyt"};
  expected = torch::einsum(contractions[0], {fourier_resampling_matrix(12, 5), expected});
  expected = torch::einsum(contractions[1], {fourier_resampling_matrix(9, 13), expected});
  for (const bool tracked : {true, false}) {
    torch::AutoGradMode mode(tracked);
    const auto y = resample_periodic(x, sizes);
    EXPECT_TRUE(y.is_contiguous());
    EXPECT_EQ(y.sizes(), expected.sizes());
    EXPECT_LT((y - expected).abs().max().item<double>(), 1e-13);
    const auto back = resample_periodic(y.to(torch::kFloat32), {12, 9, 0, 0});
    EXPECT_TRUE(back.is_contiguous());
    EXPECT_EQ(back.scalar_type(), torch::kFloat32);  // the matrices follow the data's dtype
  }
}

TEST(LatentGrid, ABroadcastAxisIsResampledOnceAndStaysABroadcast) {
  // The roll-out's input: one field repeated over the frames as a view.
  torch::manual_seed(7);
  const auto field = torch::randn({1, 3, 12, 9, 7}, f64);
  const auto repeated = field.unsqueeze(-1).expand({1, 3, 12, 9, 7, 10});
  for (const std::vector<std::int64_t>& sizes : {std::vector<std::int64_t>{5, 0, 11, 0}, {5, 9, 7, 10}}) {
    const auto y = resample_periodic(repeated, sizes);
    EXPECT_EQ(y.stride(5), 0);
    EXPECT_LT((y - resample_periodic(repeated.contiguous(), sizes)).abs().max().item<double>(), 1e-14);
  }
}

TEST(LatentGrid, AxesWithoutATargetOrAlreadyOfTheirSizeAreLeftAsTheyAre) {
  const auto x = torch::randn({2, 3, 8, 6, 5});
  const auto y = resample_periodic(x, {0, 6, 0});
  EXPECT_TRUE(y.is_same(x));
  EXPECT_EQ(resample_periodic(x, {5, 0, 0}).sizes(), (std::vector<std::int64_t>{2, 3, 5, 6, 5}));
}

TEST(LatentGrid, FnoOnALatentGridKeepsTheDataGridAndBandLimitsItsOutput) {
  torch::manual_seed(2);
  const auto net = model("model: {type: fno, modes: [4, 4, 2], width: 6, layers: 2, padding: [0, 0, 2], "
                         "latent_grid: [9, 9, 0], projection: 8}",
                         {2, 2, 3});
  const auto x = torch::randn({2, 2, 16, 16, 5}, torch::requires_grad());
  const auto y = net->forward(x);
  ASSERT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 2, 16, 16, 5}));
  // Only |k| <= 4 on the resampled axes (9 points), none on the time axis' count.
  const auto spectrum = torch::fft::fftn(y.detach().to(torch::kFloat64), c10::nullopt, {2, 3});
  const auto high = torch::fft::fftfreq(16, 1.0 / 16.0, f64).abs() > 4.0;
  const auto outside = high.view({-1, 1}) | high.view({1, -1});
  EXPECT_LT(spectrum.abs().permute({2, 3, 0, 1, 4}).index({outside}).max().item<double>(),
            1e-4 * spectrum.abs().max().item<double>());
  // Training goes through the resampling: the input and every weight get gradients.
  y.square().sum().backward();
  EXPECT_GT(x.grad().abs().sum().item<double>(), 0.0);
  for (const auto& p : net->parameters()) EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
}

TEST(LatentGrid, LatentGridOfTheDataSizeChangesNothing) {
  torch::manual_seed(4);
  const std::string base = "model: {type: ifno, modes: [3, 3], width: 4, iterations: 3, projection: 8";
  const auto plain = model(base + "}", {1, 1, 2});
  torch::manual_seed(4);
  const auto same = model(base + ", latent_grid: [12, 0]}", {1, 1, 2});
  const auto x = torch::randn({1, 1, 12, 10});
  EXPECT_TRUE(torch::equal(plain->forward(x), same->forward(x)));
  EXPECT_NE(same->describe().find("latent_grid=[12,0]"), std::string::npos);
}

TEST(LatentGrid, BadLatentGridsAreConfigErrorsNamingTheKey) {
  const auto expect_error = [](const std::string& yaml, const std::string& words) {
    try {
      model(yaml, {3, 3, 4});
      ADD_FAILURE() << "accepted: " << yaml;
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("latent_grid"), std::string::npos) << what;
      EXPECT_NE(what.find(words), std::string::npos) << what;
    }
  };
  const std::string fno = "model: {type: fno, modes: [10, 10, 10, 2], padding: [0, 0, 0, 2], ";
  expect_error(fno + "latent_grid: [21, 21, 21]}", "one entry per axis");
  expect_error(fno + "latent_grid: [21, 21, 21, 8]}", "axis 3 is padded");
  expect_error(fno + "latent_grid: [21, 19, 21, 0]}", "axis 1 has 19 points, too few for 10 modes");
  expect_error(fno + "latent_grid: [21, -1, 21, 0]}", "");
}

}  // namespace
