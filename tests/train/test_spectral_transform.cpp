#include <gtest/gtest.h>

#include "opforge/core/error.hpp"
#include "opforge/train/models/fno.hpp"
#include "opforge/train/spectral/spectral_transform.hpp"
#include "opforge/config/config.hpp"

namespace {

using namespace opforge;
using namespace opforge::train;

double max_relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

struct Case {
  std::vector<std::int64_t> sizes, modes;
};

// Odd and even (and prime: 7, 73) sizes; modes up to n/2 on full axes and up
// to n/2 + 1 (the Nyquist column) on the last axis.
const std::vector<Case> cases{
    {{7}, {4}},          {{8}, {5}},          {{73, 73}, {12, 12}}, {{6, 5}, {3, 3}},
    {{8, 8}, {4, 5}},    {{9, 6, 7}, {2, 3, 4}}, {{6, 4, 5, 4}, {3, 2, 2, 3}},
};

torch::Tensor random_grid(const Case& c, std::int64_t channels) {
  std::vector<std::int64_t> shape{2, channels};
  shape.insert(shape.end(), c.sizes.begin(), c.sizes.end());
  return torch::randn(shape, torch::kFloat64);
}

TEST(SpectralTransform, DftMatricesGiveTheKeptModesOfTheRfft) {
  torch::manual_seed(1);
  for (const auto& c : cases) {
    TruncatedSpectrum dft(c.modes, SpectralTransform::dft), fft(c.modes, SpectralTransform::fft);
    const auto x = random_grid(c, 3);
    EXPECT_LT(max_relative_difference(dft.forward(x), fft.forward(x)), 1e-12) << c.sizes.size() << "-d, n0 " << c.sizes[0];
  }
}

TEST(SpectralTransform, DftInverseIsTheIrfftOfTheZeroFilledSpectrum) {
  torch::manual_seed(2);
  for (const auto& c : cases) {
    TruncatedSpectrum dft(c.modes, SpectralTransform::dft), fft(c.modes, SpectralTransform::fft);
    // An arbitrary (not Hermitian-consistent) spectrum: the imaginary parts
    // of the DC and Nyquist columns must be ignored alike.
    const auto spectrum = torch::randn_like(fft.forward(random_grid(c, 3)));
    EXPECT_LT(max_relative_difference(dft.inverse(spectrum, c.sizes), fft.inverse(spectrum, c.sizes)), 1e-12)
        << c.sizes.size() << "-d, n0 " << c.sizes[0];
  }
}

TEST(SpectralTransform, FullModesRoundTripExactly) {
  // Keeping every mode (n/2 on an even full axis, n/2 + 1 on the last) the inverse undoes the forward.
  torch::manual_seed(3);
  const Case c{{8, 6}, {4, 4}};
  TruncatedSpectrum dft(c.modes, SpectralTransform::dft);
  const auto x = random_grid(c, 2);
  EXPECT_LT(max_relative_difference(dft.inverse(dft.forward(x), c.sizes), x), 1e-12);
}

TEST(SpectralTransform, ModesFirstLayoutPutsTheKeptModesBeforeBatchAndChannels) {
  torch::manual_seed(9);
  const Case c{{6, 4, 5, 4}, {3, 2, 2, 3}};
  for (const auto transform : {SpectralTransform::dft, SpectralTransform::fft}) {
    TruncatedSpectrum spectrum(c.modes, transform);
    const auto x = random_grid(c, 3);  // [2, 3, 6, 4, 5, 4]
    const auto modes_first = spectrum.forward_modes_first(x);
    EXPECT_EQ(modes_first.sizes().vec(), (std::vector<std::int64_t>{6, 4, 4, 3, 2, 3})) << to_string(transform);
    EXPECT_LT(max_relative_difference(modes_first.permute({4, 5, 0, 1, 2, 3}), spectrum.forward(x)), 1e-15);
    const auto back = spectrum.inverse_modes_first(modes_first, c.sizes);
    EXPECT_LT(max_relative_difference(back, spectrum.inverse(spectrum.forward(x), c.sizes)), 1e-15);
  }
}

TEST(SpectralTransform, PlanesAreTheRealAndImaginaryPartsOfTheModesFirstSpectrum) {
  torch::manual_seed(10);
  const Case c{{6, 4, 5, 4}, {3, 2, 2, 3}};
  for (const auto transform : {SpectralTransform::dft, SpectralTransform::fft}) {
    TruncatedSpectrum spectrum(c.modes, transform);
    const auto x = random_grid(c, 3);
    const auto planes = spectrum.forward_planes(x);
    EXPECT_EQ(planes.sizes().vec(), (std::vector<std::int64_t>{2, 6, 4, 4, 3, 2, 3})) << to_string(transform);
    // Against torch's rFFT directly, not through the dft code.
    TruncatedSpectrum reference(c.modes, SpectralTransform::fft);
    const auto expected = reference.forward(x).permute({2, 3, 4, 5, 0, 1});
    EXPECT_LT(max_relative_difference(planes[0], torch::real(expected)), 1e-12) << to_string(transform);
    EXPECT_LT(max_relative_difference(planes[1], torch::imag(expected)), 1e-12) << to_string(transform);
  }
}

TEST(SpectralTransform, SeparableForwardIsTheTransformOfBaseTimesProfile) {
  torch::manual_seed(13);
  for (const auto& c : cases) {
    for (const auto transform : {SpectralTransform::dft, SpectralTransform::fft}) {
      TruncatedSpectrum spectrum(c.modes, transform);
      const auto field = random_grid(c, 3);
      const auto base = field.narrow(-1, 0, 1), profile = torch::randn({c.sizes.back()}, torch::kFloat64);
      const auto expected = spectrum.forward_planes(base.expand(field.sizes()) * profile);
      const auto planes = spectrum.forward_planes_separable(base, profile);
      ASSERT_EQ(planes.sizes(), expected.sizes()) << c.sizes.size() << "-d";
      EXPECT_LT(max_relative_difference(planes, expected), 1e-12) << c.sizes.size() << "-d " << to_string(transform);
    }
  }
  TruncatedSpectrum spectrum({2, 2}, SpectralTransform::dft);
  EXPECT_THROW(spectrum.forward_planes_separable(torch::randn({1, 2, 6, 5}), torch::ones({5})), UsageError);
}

TEST(SpectralTransform, InverseWithoutAutogradMatchesTheTrackedInverseAndAccumulatesIntoTheAddend) {
  torch::manual_seed(11);
  for (const auto& c : cases) {
    for (const auto transform : {SpectralTransform::dft, SpectralTransform::fft}) {
      TruncatedSpectrum spectrum(c.modes, transform);
      const auto planes = torch::randn_like(spectrum.forward_planes(random_grid(c, 3)));
      const auto tracked = spectrum.inverse_planes(planes, c.sizes);
      const auto addend = torch::randn_like(tracked);
      const auto tracked_sum = spectrum.inverse_planes(planes, c.sizes, addend);
      EXPECT_LT(max_relative_difference(tracked_sum, tracked + addend), 1e-14);
      torch::NoGradGuard no_grad;
      EXPECT_LT(max_relative_difference(spectrum.inverse_planes(planes, c.sizes), tracked), 1e-14);
      auto temporary = addend.clone();
      const auto sum = spectrum.inverse_planes(planes, c.sizes, temporary);
      EXPECT_LT(max_relative_difference(sum, tracked + addend), 1e-14) << to_string(transform);
      if (transform == SpectralTransform::dft) EXPECT_EQ(sum.data_ptr(), temporary.data_ptr()) << "not in place";
    }
  }
  TruncatedSpectrum spectrum({2, 2}, SpectralTransform::dft);
  const auto planes = spectrum.forward_planes(torch::randn({1, 2, 6, 5}));
  EXPECT_THROW(spectrum.inverse_planes(planes, {6, 5}, torch::zeros({1, 2, 6, 4})), UsageError);
}

TEST(SpectralTransform, PointsMajorLayoutIsADensePermutationOfTheSameValues) {
  torch::manual_seed(14);
  const auto x = torch::randn({2, 3, 5, 4, 6}, torch::kFloat64);
  EXPECT_FALSE(is_points_major(x));
  const auto y = to_points_major(x);
  EXPECT_TRUE(is_points_major(y));
  EXPECT_TRUE(torch::equal(x, y));
  EXPECT_EQ(y.stride(1), 1);
  EXPECT_EQ(y.stride(0), 3);
  EXPECT_EQ(y.stride(4), 6);
  EXPECT_EQ(to_points_major(y).data_ptr(), y.data_ptr());
  EXPECT_EQ(points_major_memory(y).sizes().vec(), (std::vector<std::int64_t>{5, 4, 6, 2, 3}));
  EXPECT_TRUE(points_major_memory(y).is_contiguous());
  EXPECT_TRUE(torch::equal(points_major_view(points_major_memory(y)), x));
  EXPECT_TRUE(is_points_major(empty_points_major({2, 3, 5, 4, 6}, x.options())));
  EXPECT_FALSE(is_points_major(y.narrow(-1, 0, 5)));  // cropped: not dense
}

TEST(SpectralTransform, PointsMajorFieldsTakeTheLineFftsWithTheSameResult) {
  // Without autograd a points-major field goes through line_dft.hpp: the
  // same spectrum, and the same inverse summed into a points-major addend.
  torch::manual_seed(15);
  for (const auto& c : cases) {
    for (const auto type : {torch::kFloat64, torch::kFloat32}) {
      const double tolerance = type == torch::kFloat64 ? 1e-12 : 2e-5;
      TruncatedSpectrum spectrum(c.modes, SpectralTransform::dft);
      const auto x = random_grid(c, 3).to(type);
      const auto expected = spectrum.forward_planes(x);
      torch::NoGradGuard no_grad;
      const auto planes = spectrum.forward_planes(to_points_major(x));
      ASSERT_EQ(planes.sizes(), expected.sizes());
      EXPECT_LT(max_relative_difference(planes, expected), tolerance) << c.sizes.size() << "-d, n0 " << c.sizes[0];
      const auto addend = torch::randn_like(x);
      const auto reference = spectrum.inverse_planes(planes, c.sizes, addend.clone());
      auto temporary = to_points_major(addend);
      ASSERT_TRUE(is_points_major(temporary));
      const auto sum = spectrum.inverse_planes(planes, c.sizes, temporary);
      EXPECT_EQ(sum.data_ptr(), temporary.data_ptr()) << "not in place";
      EXPECT_TRUE(is_points_major(sum));
      EXPECT_LT(max_relative_difference(sum, reference), tolerance) << c.sizes.size() << "-d, n0 " << c.sizes[0];
    }
  }
  // A spectrum whose channels do not match the addend's is refused, not
  // read past its end.
  TruncatedSpectrum spectrum({2, 2}, SpectralTransform::dft);
  torch::NoGradGuard no_grad;
  const auto planes = spectrum.forward_planes(to_points_major(torch::randn({1, 2, 6, 5})));
  EXPECT_THROW(spectrum.inverse_planes(planes, {6, 5}, to_points_major(torch::zeros({1, 3, 6, 5}))), UsageError);
}

TEST(SpectralTransform, PointwiseLinearKeepsAPointsMajorLayout) {
  torch::manual_seed(16);
  PointwiseLinear linear(3, 5);
  linear->to(torch::kFloat64);
  const auto x = torch::randn({2, 3, 4, 7}, torch::kFloat64);
  const auto y = linear(to_points_major(x));
  EXPECT_TRUE(is_points_major(y));
  EXPECT_LT(max_relative_difference(y, linear(x)), 1e-14);
}

TEST(SpectralTransform, SpectralConvolutionWithoutAutogradMatchesTrainingAndFollowsItsWeights) {
  // Evaluation mixes the modes with its own loop on cached real weight
  // planes; training with a batched complex product. 11 output channels
  // leave a remainder after the loop's blocks of 8.
  for (const auto& c : cases) {
    torch::manual_seed(12);
    SpectralConv conv(SpectralConvOptions(3, 11, c.modes));
    conv->to(torch::kFloat64);
    const auto x = random_grid(c, 3);
    const auto trained = conv(x).detach();
    const auto addend = torch::randn_like(trained);
    conv->eval();
    torch::NoGradGuard no_grad;
    EXPECT_LT(max_relative_difference(conv(x), trained), 1e-13) << c.sizes.size() << "-d, n0 " << c.sizes[0];
    EXPECT_LT(max_relative_difference(conv->forward_plus(x, addend.clone()), trained + addend), 1e-13);
    // An optimiser step changes a weight in place: the cached planes follow.
    conv->weights.front().mul_(-2.0);
    torch::AutoGradMode tracked(true);
    const auto changed = conv(x).detach();
    EXPECT_GT(max_relative_difference(changed, trained), 1e-3);
    torch::NoGradGuard again;
    EXPECT_LT(max_relative_difference(conv(x), changed), 1e-13);
  }
}

TEST(SpectralTransform, SpectralConvolutionsAgreeInValueAndGradientForBothTransforms) {
  for (const auto& c : cases) {
    torch::manual_seed(4);
    SpectralConv dft_conv(SpectralConvOptions(3, 2, c.modes).transform(SpectralTransform::dft));
    torch::manual_seed(4);
    SpectralConv fft_conv(SpectralConvOptions(3, 2, c.modes).transform(SpectralTransform::fft));
    const auto x = random_grid(c, 3).to(torch::kFloat32).requires_grad_(true);
    const auto probe = torch::randn_like(dft_conv(x));
    const auto dft_out = dft_conv(x), fft_out = fft_conv(x);
    EXPECT_LT(max_relative_difference(dft_out, fft_out), 1e-5);
    const auto dft_grads = torch::autograd::grad({(dft_out * probe).sum()}, {x, dft_conv->weights.back()});
    const auto fft_grads = torch::autograd::grad({(fft_out * probe).sum()}, {x, fft_conv->weights.back()});
    EXPECT_LT(max_relative_difference(dft_grads[0], fft_grads[0]), 1e-5) << "input gradient";
    EXPECT_LT(max_relative_difference(dft_grads[1], fft_grads[1]), 1e-5) << "weight gradient";
  }
}

TEST(SpectralTransform, PointwiseLinearIsNnLinearOverTheChannelAxis) {
  torch::manual_seed(5);
  PointwiseLinear layer(3, 4);
  const auto x = torch::randn({2, 3, 5, 6}, torch::requires_grad());
  const auto reference = torch::nn::functional::linear(x.movedim(1, -1), layer->weight, layer->bias).movedim(-1, 1);
  EXPECT_LT(max_relative_difference(layer(x), reference), 1e-6);
  const auto g = torch::autograd::grad({layer(x).square().sum()}, {layer->weight, layer->bias, x});
  const auto r = torch::autograd::grad({reference.square().sum()}, {layer->weight, layer->bias, x});
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_LT(max_relative_difference(g[i], r[i]), 1e-5) << i;
}

TEST(SpectralTransform, FnoParameterGradientsFromBackwardMatchFiniteDifferences) {
  // The whole model as training uses it: backward() accumulating into
  // .grad, inputs without requires_grad, each layer's input used twice.
  // Finite differences check the double-precision gradients, which then
  // check the single-precision ones (training's dtype; LibTorch 1.13's
  // torch::matmul once broke only those).
  for (const std::string transform : {"dft", "fft"}) {
    torch::manual_seed(6);
    const auto doc = config::Document::parse(
        "model: {type: fno, modes: [3, 3], width: 4, layers: 2, padding: 2, projection: 8, spectral_transform: " +
            transform + "}",
        "model.yaml");
    auto model = make_model(doc.root().section("model"), {1, 1, 2});
    model->to(torch::kFloat64);
    const auto x = torch::randn({3, 1, 9, 8}, torch::kFloat64);
    const auto probe = torch::randn({3, 1, 9, 8}, torch::kFloat64);
    auto loss = [&] { return (model->forward(x) * probe).sum(); };
    loss().backward();
    std::vector<torch::Tensor> double_grads;
    for (auto& p : model->parameters()) double_grads.push_back(p.grad().clone());
    {
      model->to(torch::kFloat32);
      model->zero_grad();
      (model->forward(x.to(torch::kFloat32)) * probe.to(torch::kFloat32)).sum().backward();
      const auto float_params = model->parameters();
      for (std::size_t i = 0; i < float_params.size(); ++i)
        EXPECT_LT(max_relative_difference(float_params[i].grad().to(torch::kFloat64), double_grads[i]), 1e-4)
            << transform << " float32 gradient of parameter " << i;
      model->to(torch::kFloat64);
    }
    torch::NoGradGuard no_grad;
    std::size_t index = 0;
    for (auto& named : model->named_parameters()) {
      auto p = named.value().view(-1);
      const auto g = double_grads[index++].view(-1);
      for (std::int64_t i : {std::int64_t{0}, p.numel() - 1}) {
        const double h = 1e-6, saved = p[i].item<double>();
        p[i].fill_(saved + h);
        const double up = loss().item<double>();
        p[i].fill_(saved - h);
        const double down = loss().item<double>();
        p[i].fill_(saved);
        const double finite_difference = (up - down) / (2 * h);
        EXPECT_NEAR(g[i].item<double>(), finite_difference, 1e-6 * (1 + std::abs(finite_difference)))
            << transform << " " << named.key() << "[" << i << "]";
      }
    }
  }
}

TEST(SpectralTransform, UnknownTransformNamesAreRejected) {
  EXPECT_EQ(parse_spectral_transform("fft"), SpectralTransform::fft);
  EXPECT_THROW(parse_spectral_transform("fftw"), UsageError);
}

}  // namespace
