#include <gtest/gtest.h>

#include <complex>

#include "opforge/config/config.hpp"
#include "opforge/train/models/fno.hpp"
#include "opforge/train/models/fourier_stages.hpp"
#include "opforge/train/spectral/points_major.hpp"

namespace {

using namespace opforge;
using namespace opforge::train;

double max_relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

std::shared_ptr<OperatorModelImpl> fno(const std::string& yaml, ModelShape shape) {
  const auto doc = config::Document::parse(yaml, "model.yaml");
  return make_model(doc.root().section("model"), shape);
}

TEST(Fno, DarcyReferenceConfigurationHasTheReferenceParameterCount) {
  // modes 12, width 32, 4 layers, projection 128; input (a, x, y): FNO code's 2,368,001.
  EXPECT_EQ(count_parameters(*fno("model: {type: fno}", {1, 1, 2})), 2368001);
}

TEST(Fno, BurgersReferenceConfigurationHasTheReferenceParameterCount) {
  // fourier_1d.py: modes 16, width 64, input (u, x): 549,569.
  EXPECT_EQ(count_parameters(*fno("model: {type: fno, modes: [16], width: 64, padding: 0}", {1, 1, 1})), 549569);
}

TEST(Fno, SpectralConvolutionMatchesADirectFourierSum) {
  // One channel, modes (2, 2) on a 6 x 5 grid: out = Re(sum_k w_k x_hat_k e^{2 pi i k.x}) / N
  // over the kept modes (k1 in {0, 1, -2, -1}... as kept: k1 in {0,1} and {-2,-1}, k2 in {0,1}),
  // with the Hermitian half doubled as irfft does.
  torch::manual_seed(3);
  SpectralConv conv(SpectralConvOptions(1, 1, {2, 2}));
  const std::int64_t n1 = 6, n2 = 5;
  const auto x = torch::randn({1, 1, n1, n2}, torch::kFloat64).to(torch::kFloat32);
  const auto y = conv(x);
  const auto xd = x.to(torch::kFloat64);
  auto weight = [&](int corner, int a, int b) {
    const auto w = conv->weights[static_cast<std::size_t>(corner)];
    return std::complex<double>(w[0][0][a][b][0].item<double>(), w[0][0][a][b][1].item<double>());
  };
  for (std::int64_t p = 0; p < n1; ++p)
    for (std::int64_t q = 0; q < n2; ++q) {
      double expected = 0;
      for (int k1 : {0, 1, -2, -1})
        for (int k2 : {0, 1}) {
          std::complex<double> xhat = 0;
          for (std::int64_t i = 0; i < n1; ++i)
            for (std::int64_t j = 0; j < n2; ++j)
              xhat += xd[0][0][i][j].item<double>() *
                      std::exp(std::complex<double>(0, -2 * M_PI * (double(k1 * i) / n1 + double(k2 * j) / n2)));
          const auto w = k1 >= 0 ? weight(0, k1, k2) : weight(1, k1 + 2, k2);
          const auto term = w * xhat * std::exp(std::complex<double>(0, 2 * M_PI * (double(k1 * p) / n1 + double(k2 * q) / n2)));
          // irfft: modes k2 > 0 stand for themselves and their conjugates (factor 2, real part);
          // k2 = 0 contributes its real part once (its imaginary part is dropped by irfft).
          expected += (k2 == 0 ? 1.0 : 2.0) * term.real() / double(n1 * n2);
        }
      EXPECT_NEAR(y[0][0][p][q].item<double>(), expected, 1e-4) << p << "," << q;
    }
}

TEST(Fno, EvaluationReusesSpectralWeightsOnlyWhileTheyAreUnchanged) {
  // In eval mode without autograd the per-mode weights are kept between
  // calls; an in-place update, new storage (load, to()) or a training-mode
  // call must each be seen by the next evaluation.
  torch::manual_seed(7);
  SpectralConv conv(SpectralConvOptions(2, 3, {3, 2, 2}));
  const auto x = torch::randn({1, 2, 6, 5, 4});
  auto fresh = [&] {  // with autograd on, nothing is cached
    conv->train();
    auto y = conv(x).detach();
    conv->eval();
    return y;
  };
  conv->eval();
  torch::NoGradGuard no_grad;
  const auto before = conv(x);
  EXPECT_TRUE(torch::equal(conv(x), before));
  conv->weights[1].mul_(-2.0);  // as an optimizer step does
  const auto updated = conv(x);
  EXPECT_FALSE(torch::allclose(updated, before));
  EXPECT_TRUE(torch::allclose(updated, fresh(), 1e-6, 1e-6));
  conv->weights[0].set_(torch::randn_like(conv->weights[0]));  // as loading a checkpoint does
  EXPECT_TRUE(torch::allclose(conv(x), fresh(), 1e-6, 1e-6));
  conv->train();
  conv->weights[2].mul_(0.5);
  conv->eval();
  EXPECT_TRUE(torch::allclose(conv(x), fresh(), 1e-6, 1e-6));
}

TEST(Fno, FusedProjectionAndActivationMatchTheLayerByLayerHead) {
  // The float32 GELU path runs fused kernels; a hidden state cropped along
  // its last axis (the time padding) is read in place.
  torch::manual_seed(9);
  PointwiseLinear first(6, 20), second(20, 3), skip(6, 6);
  const auto padded = torch::randn({2, 6, 5, 7, 13});
  const auto cropped = padded.narrow(-1, 0, 10);
  const auto whole = second(torch::gelu(first(cropped)));
  const auto activated = torch::gelu(padded);
  const auto skipped = skip(activated);
  torch::NoGradGuard no_grad;
  const auto stages = evaluation_stages();
  const auto fused = stages->project(*first, *second, "gelu", cropped);
  ASSERT_EQ(fused.sizes(), whole.sizes());
  EXPECT_LT(max_relative_difference(fused, whole), 1e-5);
  const auto fused_activated = stages->activation("gelu", padded);
  EXPECT_LT(max_relative_difference(fused_activated, activated), 1e-6);
  EXPECT_LT(max_relative_difference(skip(fused_activated), skipped), 1e-5);
  EXPECT_TRUE(torch::equal(stages->activation("relu", padded), torch::relu(padded)));
  // The same on the points-major layout of the line FFTs ([points, B, C] in
  // memory): the GELU keeps it, the head reads its cropped runs in place.
  const auto points_major = to_points_major(padded);
  const auto activated_points_major = stages->activation("gelu", points_major);
  EXPECT_TRUE(is_points_major(activated_points_major));
  EXPECT_TRUE(torch::equal(activated_points_major, fused_activated));
  const auto from_points_major = stages->project(*first, *second, "gelu", points_major.narrow(-1, 0, 10));
  EXPECT_LT(max_relative_difference(from_points_major, whole), 1e-5);
  // A layer's activation and skip in one pass on that layout (the fallback
  // on any other).
  for (const auto& field : {points_major, padded}) {
    const auto [activated_field, skipped_field] = stages->activate_then_skip("gelu", field, *skip);
    EXPECT_EQ(is_points_major(activated_field), is_points_major(field));
    EXPECT_EQ(is_points_major(skipped_field), is_points_major(field));
    EXPECT_LT(max_relative_difference(activated_field, activated), 1e-6);
    EXPECT_LT(max_relative_difference(skipped_field, skipped), 1e-5);
  }
  // An iterated layer's update, x + step act(u), added into x in place.
  const auto x = torch::randn({2, 6, 5, 7, 13}), u = torch::randn({2, 6, 5, 7, 13});
  for (const std::string activation : {"gelu", "relu", ""}) {
    const auto expected = x + 0.25 * (activation.empty() ? u : stages->activation(activation, u));
    auto owned = x.clone();
    const auto sum = stages->add_activated(owned, u, 0.25, activation);
    EXPECT_EQ(sum.data_ptr(), owned.data_ptr()) << activation;
    EXPECT_LT(max_relative_difference(sum, expected), 1e-6) << activation;
  }
  // The input skip of a roll-out: u0 repeated along the last axis, added in place.
  const auto repeated = torch::randn({2, 3, 4, 1}).expand({2, 3, 4, 10});
  const auto output = torch::randn({2, 3, 4, 10});
  EXPECT_TRUE(torch::allclose(stages->add_input(output.clone(), repeated), output + repeated, 0.0, 0.0));
}

TEST(Fno, ProjectionInBlocksEqualsTheWholeProjection) {
  // Without autograd the head runs over blocks of 16384 points; here 3 blocks, the last partial.
  torch::manual_seed(8);
  PointwiseLinear first(4, 16), second(16, 3);
  const auto hidden = torch::randn({2, 4, 20, 20, 100});
  const auto whole = second(torch::gelu(first(hidden)));
  torch::NoGradGuard no_grad;
  const auto blocked = evaluation_stages()->project(*first, *second, "gelu", hidden);
  ASSERT_EQ(blocked.sizes(), whole.sizes());
  EXPECT_TRUE(torch::allclose(blocked, whole, 1e-6, 1e-6));
}

TEST(Fno, TrainedAtOneResolutionEvaluatesAtTwice) {
  const auto model = fno("model: {type: fno, modes: [4, 4], width: 8, padding: 3}", {1, 1, 2});
  const auto coarse = model->forward(torch::randn({2, 1, 16, 16}));
  const auto fine = model->forward(torch::randn({2, 1, 32, 32}));
  EXPECT_EQ(coarse.sizes(), (std::vector<std::int64_t>{2, 1, 16, 16}));
  EXPECT_EQ(fine.sizes(), (std::vector<std::int64_t>{2, 1, 32, 32}));
}

TEST(Fno, ThreeDimensionsAndBadModeCountsAreHandled) {
  const auto model = fno("model: {type: fno, modes: [3, 3, 2], width: 4, padding: 0}", {2, 3, 3});
  EXPECT_EQ(model->forward(torch::randn({1, 2, 8, 8, 6})).sizes(), (std::vector<std::int64_t>{1, 3, 8, 8, 6}));
  EXPECT_THROW(fno("model: {type: fno, modes: [12]}", {1, 1, 2}), ConfigError);
  const auto too_many = fno("model: {type: fno, modes: [12, 12], padding: 0}", {1, 1, 2});
  EXPECT_THROW(too_many->forward(torch::randn({1, 1, 16, 16})), UsageError);
}

TEST(Fno, SpaceTimeSpectralConvolutionKeepingEveryModeIsTheIdentity) {
  // 4 axes (x, y, z, t): with all modes kept and unit weights, the 8 corner
  // blocks must tile the spectrum exactly once, so K x = x.
  SpectralConv conv(SpectralConvOptions(1, 1, {2, 2, 2, 3}));
  ASSERT_EQ(conv->weights.size(), 8u);
  {
    torch::NoGradGuard no_grad;
    for (auto& w : conv->weights) {
      w.zero_();
      w.select(-1, 0).fill_(1.0);
    }
  }
  const auto x = torch::randn({2, 1, 4, 4, 4, 4});
  EXPECT_LT((conv(x) - x).abs().max().item<double>(), 1e-5);
}

TEST(Fno, SpaceTimeModelHasTheAnalyticParameterCountAndKeepsItsGrid) {
  // LESnets layout: 3 velocity channels + 4 coordinates in, 3 out; padding on t only.
  const std::int64_t w = 8, layers = 2, p = 16;
  auto model = fno("model: {type: fno, modes: [4, 4, 4, 2], width: 8, layers: 2, padding: [0, 0, 0, 3], projection: 16}",
                   {3, 3, 4});
  const std::int64_t spectral = 8 * w * w * 4 * 4 * 4 * 2 * 2;  // 8 corners, complex counted twice
  const std::int64_t expected = (7 * w + w) + layers * (spectral + w * w + w) + (w * p + p) + (p * 3 + 3);
  EXPECT_EQ(count_parameters(*model), expected);
  const auto y = model->forward(torch::randn({1, 3, 8, 8, 8, 5}));
  EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{1, 3, 8, 8, 8, 5}));
  EXPECT_THROW(fno("model: {type: fno, modes: [4, 4, 4, 2], padding: [1, 2]}", {3, 3, 4}), ConfigError);
}

TEST(Fno, AnInputConstantInTimeGivesTheSameOutputThroughTheSeparableFirstLayer) {
  // The roll-out passes u0 repeated over the frames as a broadcast view; the
  // first layer is then computed from its structure (fourier_evaluation.cpp).
  struct Case {
    std::string yaml;
    ModelShape shape;
    std::vector<std::int64_t> grid;
  };
  const std::vector<Case> cases{
      {"model: {type: fno, modes: [3, 3, 3, 2], width: 6, layers: 2, padding: [0, 0, 0, 2], latent_grid: [7, 7, 7, 0],"
       " projection: 8, input_skip: true}",
       {3, 3, 4}, {8, 8, 8, 5}},
      {"model: {type: fno, modes: [2, 3], width: 5, layers: 3, padding: [2, 1], projection: 8}", {2, 1, 2}, {9, 6}},
      {"model: {type: fno, modes: [3, 2], width: 4, layers: 1, padding: 0, spectral_transform: fft}", {1, 1, 2},
       {8, 4}}};
  for (const auto& c : cases) {
    torch::manual_seed(21);
    auto model = fno(c.yaml, c.shape);
    model->to(torch::kFloat64);
    model->eval();
    std::vector<std::int64_t> shape{2, c.shape.in_channels};
    shape.insert(shape.end(), c.grid.begin(), c.grid.end());
    auto one_frame = shape;
    one_frame.back() = 1;
    const auto u0 = torch::randn(one_frame, torch::kFloat64);
    const auto repeated = u0.expand(shape);
    torch::NoGradGuard no_grad;
    ASSERT_TRUE(constant_along_last_axis(repeated, {}));
    ASSERT_FALSE(constant_along_last_axis(repeated.contiguous(), {}));
    EXPECT_LT(max_relative_difference(model->forward(repeated), model->forward(repeated.contiguous())), 1e-12)
        << c.yaml;
    // Its cached lifting of the grid follows the weights.
    for (auto& p : model->parameters()) p.mul_(0.9);
    EXPECT_LT(max_relative_difference(model->forward(repeated), model->forward(repeated.contiguous())), 1e-12)
        << c.yaml;
    // In float, the roll-out's type: the line FFTs and fused kernels.
    model->to(torch::kFloat32);
    const auto repeated_float = u0.to(torch::kFloat32).expand(shape);
    ASSERT_TRUE(constant_along_last_axis(repeated_float, {}));
    EXPECT_LT(max_relative_difference(model->forward(repeated_float), model->forward(repeated_float.contiguous())),
              1e-5)
        << c.yaml;
  }
}

}  // namespace
