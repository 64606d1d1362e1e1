#include <gtest/gtest.h>

#include "opforge/core/error.hpp"
#include "opforge/train/models/fno.hpp"
#include "opforge/train/spectral/backend.hpp"
#include "opforge/train/spectral/points_major.hpp"
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

/// Every backend, in the phases it runs in: (name, phase, field layout).
struct Variant {
  std::string name;
  SpectralPhase phase;
  bool points_major;
};
const std::vector<Variant> variants{{"fft", SpectralPhase::training, false},
                                    {"dft", SpectralPhase::training, false},
                                    {"dft", SpectralPhase::evaluation, false},
                                    {"line_fft", SpectralPhase::evaluation, false},
                                    {"line_fft", SpectralPhase::evaluation, true}};

std::string label(const Variant& v, const Case& c) {
  return v.name + (v.phase == SpectralPhase::evaluation ? " (evaluation" : " (training") +
         (v.points_major ? ", points-major) " : ") ") + std::to_string(c.sizes.size()) + "-d, n0 " +
         std::to_string(c.sizes[0]);
}

std::unique_ptr<SpectralBackend> make(const std::string& name, const Case& c, SpectralPhase phase) {
  return spectral_backends().create(name, c.modes, phase);
}

/// The kept modes straight from torch::fft::rfftn, [B, C, 2m_1, ..., m_d]
/// complex, independent of every backend.
torch::Tensor kept_modes_by_rfftn(const torch::Tensor& x, const std::vector<std::int64_t>& modes) {
  const auto d = static_cast<std::int64_t>(modes.size());
  std::vector<std::int64_t> dims;
  for (std::int64_t a = 0; a < d; ++a) dims.push_back(2 + a);
  auto z = torch::fft::rfftn(x, c10::nullopt, dims);
  for (std::int64_t a = 0; a + 1 < d; ++a) {
    const auto axis = 2 + a, m = modes[static_cast<std::size_t>(a)];
    z = torch::cat({z.narrow(axis, 0, m), z.narrow(axis, z.size(axis) - m, m)}, axis);
  }
  return z.narrow(1 + d, 0, modes.back());
}

/// [B, C, modes...] complex as planes [2, modes..., B, C].
torch::Tensor as_planes(const torch::Tensor& spectrum) {
  const auto d = spectrum.dim() - 2;
  std::vector<std::int64_t> order;
  for (std::int64_t a = 0; a < d; ++a) order.push_back(2 + a);
  order.insert(order.end(), {0, 1});
  const auto modes_first = spectrum.permute(order);
  return torch::stack({torch::real(modes_first), torch::imag(modes_first)});
}

TEST(SpectralBackend, EveryBackendGivesTheKeptModesOfTheRfft) {
  torch::manual_seed(1);
  for (const auto& c : cases)
    for (const auto& v : variants) {
      auto backend = make(v.name, c, v.phase);
      const auto x = random_grid(c, 3);
      torch::NoGradGuard no_grad;  // what evaluation runs under; training's autograd is checked below
      const auto planes = backend->forward(v.points_major ? to_points_major(x) : x);
      const auto expected = as_planes(kept_modes_by_rfftn(x, c.modes));
      ASSERT_EQ(planes.sizes(), expected.sizes()) << label(v, c);
      EXPECT_EQ(planes.sizes().vec(), backend->planes_shape(2, 3)) << label(v, c);
      EXPECT_LT(max_relative_difference(planes, expected), 1e-12) << label(v, c);
    }
}

TEST(SpectralBackend, EveryInverseIsTheIrfftOfTheZeroFilledSpectrumPlusTheAddend) {
  torch::manual_seed(2);
  for (const auto& c : cases) {
    auto reference = make("fft", c, SpectralPhase::training);
    for (const auto& v : variants) {
      auto backend = make(v.name, c, v.phase);
      // An arbitrary (not Hermitian-consistent) spectrum: the imaginary parts
      // of the DC and Nyquist columns must be ignored alike.
      const auto planes = torch::randn_like(reference->forward(random_grid(c, 3)));
      const auto expected = reference->inverse(planes, c.sizes);
      const auto addend = torch::randn_like(expected);
      torch::NoGradGuard no_grad;
      EXPECT_LT(max_relative_difference(backend->inverse(planes, c.sizes), expected), 1e-12) << label(v, c);
      auto temporary = v.points_major ? to_points_major(addend) : addend.clone();
      const auto sum = backend->inverse(planes, c.sizes, temporary);
      EXPECT_LT(max_relative_difference(sum, expected + addend), 1e-12) << label(v, c);
      // Evaluation sums into the temporary's storage and keeps its layout.
      if (v.phase == SpectralPhase::evaluation) EXPECT_EQ(sum.data_ptr(), temporary.data_ptr()) << label(v, c);
      EXPECT_EQ(is_points_major(sum), v.points_major) << label(v, c);
    }
  }
  auto dft = make("dft", {{6, 5}, {2, 2}}, SpectralPhase::training);
  const auto planes = dft->forward(torch::randn({1, 2, 6, 5}));
  EXPECT_THROW(dft->inverse(planes, {6, 5}, torch::zeros({1, 2, 6, 4})), UsageError);
  // A spectrum whose channels do not match the addend's is refused, not read past its end.
  auto line = make("line_fft", {{6, 5}, {2, 2}}, SpectralPhase::evaluation);
  torch::NoGradGuard no_grad;
  EXPECT_THROW(line->inverse(planes, {6, 5}, to_points_major(torch::zeros({1, 3, 6, 5}))), UsageError);
}

TEST(SpectralBackend, SinglePrecisionOnThePointsMajorLayoutMatchesTheReference) {
  torch::manual_seed(15);
  for (const auto& c : cases) {
    auto line = make("line_fft", c, SpectralPhase::evaluation);
    const auto x = random_grid(c, 3);
    const auto expected = as_planes(kept_modes_by_rfftn(x, c.modes));
    torch::NoGradGuard no_grad;
    const auto planes = line->forward(to_points_major(x.to(torch::kFloat32)));
    EXPECT_LT(max_relative_difference(planes.to(torch::kFloat64), expected), 2e-5) << c.sizes.size() << "-d";
    auto reference = make("fft", c, SpectralPhase::training);
    const auto sum = line->inverse(planes, c.sizes, to_points_major(torch::zeros_like(x, torch::kFloat32)));
    EXPECT_LT(max_relative_difference(sum.to(torch::kFloat64), reference->inverse(expected, c.sizes)), 2e-5);
  }
}

TEST(SpectralBackend, FullModesRoundTripExactly) {
  // Keeping every mode (n/2 on an even full axis, n/2 + 1 on the last) the inverse undoes the forward.
  torch::manual_seed(3);
  const Case c{{8, 6}, {4, 4}};
  const auto x = random_grid(c, 2);
  for (const auto& v : variants) {
    auto backend = make(v.name, c, v.phase);
    torch::NoGradGuard no_grad;
    const auto field = v.points_major ? to_points_major(x) : x;
    const auto back = backend->inverse(backend->forward(field), c.sizes, torch::zeros_like(field));
    EXPECT_LT(max_relative_difference(back, x), 1e-12) << label(v, c);
  }
}

TEST(SpectralBackend, SeparableForwardIsTheTransformOfBaseTimesProfile) {
  torch::manual_seed(13);
  for (const auto& c : cases)
    for (const auto& v : variants) {
      if (v.points_major) continue;  // the separable form takes the base as it is
      auto backend = make(v.name, c, v.phase);
      const auto field = random_grid(c, 3);
      const auto base = field.narrow(-1, 0, 1), profile = torch::randn({c.sizes.back()}, torch::kFloat64);
      const auto expected = as_planes(kept_modes_by_rfftn(base.expand(field.sizes()) * profile, c.modes));
      torch::NoGradGuard no_grad;
      const auto planes = backend->forward_separable(base, profile);
      ASSERT_EQ(planes.sizes(), expected.sizes()) << label(v, c);
      EXPECT_LT(max_relative_difference(planes, expected), 1e-12) << label(v, c);
    }
  auto dft = make("dft", {{6, 5}, {2, 2}}, SpectralPhase::training);
  EXPECT_THROW(dft->forward_separable(torch::randn({1, 2, 6, 5}), torch::ones({5})), UsageError);
}

TEST(SpectralBackend, TrainingBackendsAgreeWithTheReferenceInValueAndGradient) {
  // Gradients through forward, mix and inverse, against the fft reference.
  for (const auto& c : cases) {
    torch::manual_seed(4);
    const auto x = random_grid(c, 3).requires_grad_(true);
    std::vector<std::int64_t> corner{3, 2};
    corner.insert(corner.end(), c.modes.begin(), c.modes.end());
    corner.push_back(2);
    std::vector<torch::Tensor> weights;
    for (std::size_t k = 0; k < (std::size_t{1} << (c.modes.size() - 1)); ++k)
      weights.push_back(torch::randn(corner, torch::kFloat64).requires_grad_(true));
    const auto apply = [&](SpectralBackend& b) { return b.inverse(b.mix(b.forward(x), weights), c.sizes); };
    auto reference = make("fft", c, SpectralPhase::training);
    auto dft = make("dft", c, SpectralPhase::training);
    const auto expected = apply(*reference), computed = apply(*dft);
    EXPECT_LT(max_relative_difference(computed, expected), 1e-12);
    const auto probe = torch::randn_like(expected);
    const auto g_ref = torch::autograd::grad({(expected * probe).sum()}, {x, weights.back()});
    const auto g_dft = torch::autograd::grad({(computed * probe).sum()}, {x, weights.back()});
    EXPECT_LT(max_relative_difference(g_dft[0], g_ref[0]), 1e-12) << "input gradient";
    EXPECT_LT(max_relative_difference(g_dft[1], g_ref[1]), 1e-12) << "weight gradient";
  }
}

TEST(SpectralBackend, EvaluationMixingFollowsTheWeightsItCaches) {
  // dft and line_fft mix on cached real planes of the weights in evaluation;
  // 11 output channels leave a remainder after the loop's blocks of 8.
  torch::manual_seed(12);
  for (const auto& c : cases) {
    std::vector<std::int64_t> corner{3, 11};
    corner.insert(corner.end(), c.modes.begin(), c.modes.end());
    corner.push_back(2);
    std::vector<torch::Tensor> weights;
    for (std::size_t k = 0; k < (std::size_t{1} << (c.modes.size() - 1)); ++k)
      weights.push_back(torch::randn(corner, torch::kFloat64));
    auto reference = make("fft", c, SpectralPhase::training);
    auto line = make("line_fft", c, SpectralPhase::evaluation);
    const auto planes = reference->forward(random_grid(c, 3));
    torch::NoGradGuard no_grad;
    EXPECT_LT(max_relative_difference(line->mix(planes, weights), reference->mix(planes, weights)), 1e-13);
    weights.front().mul_(-2.0);  // in place, as an optimiser step
    EXPECT_LT(max_relative_difference(line->mix(planes, weights), reference->mix(planes, weights)), 1e-13);
    weights.back().set_(torch::randn_like(weights.back()));  // new storage, as a load
    EXPECT_LT(max_relative_difference(line->mix(planes, weights), reference->mix(planes, weights)), 1e-13);
  }
}

TEST(SpectralBackend, PointsMajorLayoutIsADensePermutationOfTheSameValues) {
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

TEST(SpectralBackend, PointwiseLinearKeepsAPointsMajorLayout) {
  torch::manual_seed(16);
  PointwiseLinear linear(3, 5);
  linear->to(torch::kFloat64);
  const auto x = torch::randn({2, 3, 4, 7}, torch::kFloat64);
  const auto y = linear(to_points_major(x));
  EXPECT_TRUE(is_points_major(y));
  EXPECT_LT(max_relative_difference(y, linear(x)), 1e-14);
}

TEST(SpectralBackend, SpectralConvolutionsAgreeInValueAndGradientForBothTransforms) {
  for (const auto& c : cases) {
    torch::manual_seed(4);
    SpectralConv dft_conv(SpectralConvOptions(3, 2, c.modes).transform("dft"));
    torch::manual_seed(4);
    SpectralConv fft_conv(SpectralConvOptions(3, 2, c.modes).transform("fft"));
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

TEST(SpectralBackend, PointwiseLinearIsNnLinearOverTheChannelAxis) {
  torch::manual_seed(5);
  PointwiseLinear layer(3, 4);
  const auto x = torch::randn({2, 3, 5, 6}, torch::requires_grad());
  const auto reference = torch::nn::functional::linear(x.movedim(1, -1), layer->weight, layer->bias).movedim(-1, 1);
  EXPECT_LT(max_relative_difference(layer(x), reference), 1e-6);
  const auto g = torch::autograd::grad({layer(x).square().sum()}, {layer->weight, layer->bias, x});
  const auto r = torch::autograd::grad({reference.square().sum()}, {layer->weight, layer->bias, x});
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_LT(max_relative_difference(g[i], r[i]), 1e-5) << i;
}

TEST(SpectralBackend, FnoParameterGradientsFromBackwardMatchFiniteDifferences) {
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

TEST(SpectralBackend, NamesAreResolvedOncePerPhaseAndUnknownOnesRejected) {
  EXPECT_EQ(resolve_spectral_backend("auto", SpectralPhase::training), "dft");
  EXPECT_EQ(resolve_spectral_backend("auto", SpectralPhase::evaluation), "line_fft");
  EXPECT_EQ(resolve_spectral_backend("fft", SpectralPhase::evaluation), "fft");
  EXPECT_EQ(make_spectral_backend("auto", {2}, SpectralPhase::evaluation)->name(), "line_fft");
  EXPECT_THROW(make_spectral_backend("fftw", {2}, SpectralPhase::training), UsageError);
  EXPECT_THROW(make_spectral_backend("line_fft", {2}, SpectralPhase::training), UsageError);
  const auto doc = config::Document::parse("model: {type: fno, modes: [2, 2], spectral_transform: line_fft}", "m.yaml");
  EXPECT_THROW(make_model(doc.root().section("model"), {1, 1, 2}), ConfigError);
}

TEST(SpectralBackend, AModelChoosesItsBackendsByPhase) {
  torch::manual_seed(17);
  SpectralConv conv(SpectralConvOptions(2, 2, {2, 2}));
  EXPECT_EQ(conv->backend().name(), "dft");
  const auto x = torch::randn({1, 2, 6, 5});
  const auto trained = conv(x).detach();
  conv->eval();
  EXPECT_EQ(conv->backend().name(), "line_fft");
  torch::NoGradGuard no_grad;
  EXPECT_LT(max_relative_difference(conv(to_points_major(x)), trained), 1e-5);
  conv->train();
  EXPECT_EQ(conv->backend().name(), "dft");
  SpectralConv reference(SpectralConvOptions(2, 2, {2, 2}).transform("fft"));
  reference->eval();
  EXPECT_EQ(reference->backend().name(), "fft");
}

}  // namespace
