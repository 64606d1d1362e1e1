#include <gtest/gtest.h>

#include "opforge/config/config.hpp"
#include "opforge/config/differences.hpp"
#include "opforge/train/models/mgno.hpp"
#include "support/expect_error.hpp"

namespace {

using namespace opforge;
using namespace opforge::train;
using Grid = std::vector<std::vector<double>>;

std::shared_ptr<OperatorModelImpl> model_from(const std::string& yaml, ModelShape shape) {
  const auto doc = config::Document::parse(yaml, "model.yaml");
  return make_model(doc.root().section("model"), shape);
}

TEST(Mgno, DarcyReferenceConfigurationHasTheReferenceParameterCount) {
  // MgNO_DC(4 layers, 24 channels, 1 input channel, [[1,0]] x 5 + [[2,0]]): 572,661.
  EXPECT_EQ(count_parameters(*model_from("model: {type: mgno}", {1, 1, 2})), 572661);
  EXPECT_EQ(count_parameters(*model_from("model: {type: mgno, layers: 4, channels: 24, pre_smoothing: [1,1,1,1,1,2]}",
                                         {1, 1, 2})),
            572661);
}

TEST(Mgno, NavierStokesVariantHasTheReferenceCountLessItsGridSizedAffine) {
  // MgNO_NS(5 layers, 32 channels, 1 input channel, [[1,0]] x 3 + [[2,0]] x 2, bias): 2,885,194, of which
  // 1,740,800 are LayerNorm([32, 64/2^j, 64/2^j]) affines (5 layers x 2 x 32 x (64^2 + 32^2 + 16^2 + 8^2)).
  // Here the affine is per channel (5 x 4 norms x 2 x 32 = 1,280), so the model runs at any grid.
  const auto model = model_from("model: {type: mgno, layers: 5, channels: 32, pre_smoothing: [1, 1, 1, 2, 2], "
                                "padding: circular, bias: true, skip: false, level_norm: true, input_skip: true}",
                                {1, 1, 2});
  EXPECT_EQ(count_parameters(*model), 2885194 - 1740800 + 1280);
}

TEST(Mgno, LevelNormLeavesEachSampleWithZeroMeanAndUnitVarianceOverChannelsAndGrid) {
  // Two levels, no post-smoothing: the cycle's output is the normalised u0 + P u1
  // (the affine starts as the identity).
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  VCycle cycle(VCycleOptions(3, 1, 2).pre_smoothing({1, 1}).level_norm(true));
  const auto u = cycle(torch::randn({2, 1, 8, 8}) * 5 + 2).flatten(1);
  EXPECT_LT(u.mean(1).abs().max().item<double>(), 1e-6);
  EXPECT_LT((u.var(1, /*unbiased=*/false) - 1).abs().max().item<double>(), 1e-3);  // eps 1e-5 against var
  EXPECT_EQ(cycle->norms.size(), 1U);
}

TEST(Mgno, ResidualAddsTheLatestInputFramesToTheOutput) {
  torch::NoGradGuard no_grad;
  auto residual =
      model_from("model: {type: mgno, channels: 4, layers: 2, pre_smoothing: [1, 1], input_skip: true}", {3, 1, 2});
  auto plain = model_from("model: {type: mgno, channels: 4, layers: 2, pre_smoothing: [1, 1]}", {3, 1, 2});
  const auto weights = residual->named_parameters();
  for (auto& named : plain->named_parameters()) named.value().copy_(weights[named.key()]);
  const auto x = torch::randn({2, 3, 8, 8});
  const auto difference = residual->forward(x) - plain->forward(x);
  EXPECT_LT((difference - x.narrow(1, 2, 1)).abs().max().item<double>(), 1e-6);
  EXPECT_NE(test_support::message_of<ConfigError>([] {
              model_from("model: {type: mgno, input_skip: true}", {1, 2, 2});
            }).find("model.input_skip"),
            std::string::npos);
}

TEST(Mgno, NonPowerOfTwoGridsRoundTripAtEveryLevel) {
  for (const std::string padding : {"zeros", "circular"})
  for (const std::int64_t kernel : {3, 4})
    for (const std::int64_t n : {85, 141, 211, 421, 64, 43}) {
      VCycle cycle(VCycleOptions(2, 1, 2).prolongation_kernel(kernel).padding(padding));
      const auto expected = cycle->level_sizes({n, n + 1});
      ASSERT_EQ(expected.size(), 6u);
      torch::NoGradGuard no_grad;
      auto u = torch::randn({1, 2, n, n + 1});
      for (std::size_t l = 1; l < expected.size(); ++l) {
        u = cycle->restrict_u[l - 1](u);
        EXPECT_EQ(u.size(2), expected[l][0]) << "n " << n << " level " << l;
        EXPECT_EQ(u.size(3), expected[l][1]) << "n " << n << " level " << l;
        const auto back = cycle->prolong[l - 1]->prolong(u, expected[l - 1]);
        EXPECT_EQ(back.sizes(), torch::IntArrayRef({1, 2, expected[l - 1][0], expected[l - 1][1]}));
      }
      EXPECT_EQ(cycle(torch::randn({3, 1, n, n + 1})).sizes(), torch::IntArrayRef({3, 2, n, n + 1}));
    }
}

// An independent reference: direct loops over single-channel 2D grids.
Grid as_grid(const torch::Tensor& t) {
  Grid g(static_cast<std::size_t>(t.size(-2)), std::vector<double>(static_cast<std::size_t>(t.size(-1))));
  const auto flat = t.reshape({t.size(-2), t.size(-1)}).to(torch::kFloat64);
  for (std::size_t i = 0; i < g.size(); ++i)
    for (std::size_t j = 0; j < g[i].size(); ++j) g[i][j] = flat[long(i)][long(j)].item<double>();
  return g;
}

Grid convolve(const Grid& x, const torch::Tensor& weight, int stride) {
  const Grid w = as_grid(weight);  // 3 x 3, zero padding 1
  const int n = int(x.size()), m = int(x[0].size());
  Grid y(std::size_t((n + stride - 1) / stride), std::vector<double>(std::size_t((m + stride - 1) / stride), 0.0));
  for (int i = 0; i < int(y.size()); ++i)
    for (int j = 0; j < int(y[0].size()); ++j)
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
          const int p = stride * i + a - 1, q = stride * j + b - 1;
          if (p >= 0 && p < n && q >= 0 && q < m) y[std::size_t(i)][std::size_t(j)] += w[std::size_t(a)][std::size_t(b)] * x[std::size_t(p)][std::size_t(q)];
        }
  return y;
}

Grid transposed_4x4(const Grid& x, const torch::Tensor& weight, int n, int m) {
  const Grid w = as_grid(weight);  // stride 2, padding 1: input i feeds outputs 2i - 1 + a
  Grid y(std::size_t(n), std::vector<double>(std::size_t(m), 0.0));
  for (int i = 0; i < int(x.size()); ++i)
    for (int j = 0; j < int(x[0].size()); ++j)
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) {
          const int p = 2 * i - 1 + a, q = 2 * j - 1 + b;
          if (p >= 0 && p < n && q >= 0 && q < m) y[std::size_t(p)][std::size_t(q)] += w[std::size_t(a)][std::size_t(b)] * x[std::size_t(i)][std::size_t(j)];
        }
  return y;
}

Grid combine(const Grid& a, const Grid& b, double sign) {
  Grid c = a;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].size(); ++j) c[i][j] += sign * b[i][j];
  return c;
}

TEST(Mgno, VCycleEqualsADirectReferenceOnATinyGrid) {
  // Two levels, one pre-smoothing step each, one post-smoothing step on the
  // fine level, one channel: u0 = S f; u1 = Pi u0; f1 = R f; u1 += S1 (f1 - A1 u1);
  // u0 += P u1; u0 += S' (f - A' u0). Grids 5 x 5 (odd: the 4x4 prolongation
  // overshoots and is cropped) and 6 x 6.
  for (const int n : {5, 6}) {
    torch::manual_seed(11);
    VCycle cycle(VCycleOptions(1, 1, 2).pre_smoothing({1, 1}).post_smoothing({1, 0}));
    const auto f = torch::randn({1, 1, n, n});
    const auto u = cycle(f);

    const Grid f0 = as_grid(f);
    const auto& fine = cycle->pre[0][0];
    const auto& coarse = cycle->pre[1][0];
    const auto& after = cycle->post[0][0];
    Grid u0 = convolve(f0, fine->S->weight, 1);
    Grid u1 = convolve(u0, cycle->restrict_u[0]->weight, 2);
    const Grid f1 = convolve(f0, cycle->restrict_f[0]->weight, 2);
    u1 = combine(u1, convolve(combine(f1, convolve(u1, coarse->A->weight, 1), -1), coarse->S->weight, 1), 1);
    u0 = combine(u0, transposed_4x4(u1, cycle->prolong[0]->weight, n, n), 1);
    u0 = combine(u0, convolve(combine(f0, convolve(u0, after->A->weight, 1), -1), after->S->weight, 1), 1);
    const Grid got = as_grid(u.detach());
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) EXPECT_NEAR(got[std::size_t(i)][std::size_t(j)], u0[std::size_t(i)][std::size_t(j)], 1e-5) << n << ": " << i << "," << j;
  }
}

TEST(Mgno, CircularPaddingMakesTheModelTranslationEquivariantOnAPeriodicGrid) {
  // Shifts by a multiple of 2^(levels - 1) commute with every level's coarsening.
  torch::NoGradGuard no_grad;
  torch::manual_seed(5);
  const std::string base = "model: {type: mgno, channels: 4, layers: 2, pre_smoothing: [1, 1, 2], padding: ";
  auto periodic = model_from(base + "circular}", {1, 1, 2});
  auto dirichlet = model_from(base + "zeros}", {1, 1, 2});
  const auto x = torch::randn({2, 1, 16, 16});
  const auto shifted = torch::roll(x, {4, -8}, {2, 3});
  const auto periodic_difference = (periodic->forward(shifted) - torch::roll(periodic->forward(x), {4, -8}, {2, 3}));
  EXPECT_LT(periodic_difference.abs().max().item<double>(), 1e-5);
  const auto dirichlet_difference = (dirichlet->forward(shifted) - torch::roll(dirichlet->forward(x), {4, -8}, {2, 3}));
  EXPECT_GT(dirichlet_difference.abs().max().item<double>(), 1e-2);  // the boundary breaks the symmetry
}

TEST(Mgno, ReflectAndCircularPaddingSeeAConstantFieldAsConstantAtTheBoundaryZerosDoesNot) {
  // No flux across a reflecting or periodic boundary: a 3x3 convolution maps a
  // constant to sum(w) * constant everywhere; zero padding (Dirichlet) changes the edges.
  torch::NoGradGuard no_grad;
  for (const std::string padding : {"reflect", "circular", "zeros"})
    for (const std::int64_t d : {1, 2, 3}) {
      GridConv conv(GridConvOptions(1, 1, d).padding(padding));
      std::vector<std::int64_t> shape{1, 1};
      for (std::int64_t a = 0; a < d; ++a) shape.push_back(6);
      const auto y = conv(torch::full(shape, 2.0));
      const double expected = 2.0 * conv->weight.sum().item<double>();
      const double spread = (y - expected).abs().max().item<double>();
      if (padding == "zeros")
        EXPECT_GT(spread, 1e-3) << d;
      else
        EXPECT_LT(spread, 1e-5) << padding << " " << d;
    }
}

TEST(Mgno, OneAndThreeDimensionalModelsKeepTheGrid) {
  torch::NoGradGuard no_grad;
  auto line = model_from("model: {type: mgno, channels: 4, layers: 2, pre_smoothing: [1, 1, 1]}", {2, 3, 1});
  EXPECT_EQ(line->forward(torch::randn({2, 2, 37})).sizes(), torch::IntArrayRef({2, 3, 37}));
  auto volume = model_from("model: {type: mgno, channels: 2, layers: 1, pre_smoothing: [1, 1], padding: reflect}", {1, 1, 3});
  EXPECT_EQ(volume->forward(torch::randn({1, 1, 9, 8, 7})).sizes(), torch::IntArrayRef({1, 1, 9, 8, 7}));
}

TEST(Mgno, TrainsAtOneResolutionAndRunsAtAnother) {
  torch::NoGradGuard no_grad;
  auto model = model_from("model: {type: mgno, channels: 4, layers: 2}", {1, 1, 2});
  EXPECT_EQ(model->forward(torch::randn({1, 1, 43, 43})).sizes(), torch::IntArrayRef({1, 1, 43, 43}));
  EXPECT_EQ(model->forward(torch::randn({1, 1, 85, 85})).sizes(), torch::IntArrayRef({1, 1, 85, 85}));
}

TEST(Mgno, BadOptionsNameTheKey) {
  EXPECT_NE(test_support::message_of<ConfigError>([] {
              model_from("model: {type: mgno, pre_smoothing: [1, 2], post_smoothing: [0]}", {1, 1, 2});
            }).find("model.post_smoothing"),
            std::string::npos);
  EXPECT_NE(test_support::message_of<ConfigError>([] { model_from("model: {type: mgno, padding: mirror}", {1, 1, 2}); })
                .find("model.padding"),
            std::string::npos);
  EXPECT_NE(test_support::message_of<ConfigError>([] { model_from("model: {type: mgno, pre_smoothing: [0, 1]}", {1, 1, 2}); })
                .find("model.pre_smoothing"),
            std::string::npos);
}

// A checkpoint saved before skip, level_norm and input_skip existed still
// evaluates: its model section reads with their defaults, the old behaviour.
TEST(Mgno, AStoredConfigFromBeforeNewerKeysReadsAsTheirDefaults) {
  const ModelShape shape{1, 1, 2};
  const std::string stored = "model: {type: mgno, channels: 8, layers: 2, padding: circular}\n";
  auto resolved = [&](const std::string& extra) {
    const auto doc = config::Document::parse(
        "model: {type: mgno, channels: 8, layers: 2, padding: circular" + extra + "}\n", "model.yaml");
    make_model(doc.root().section("model"), shape);
    return doc.resolved_yaml();
  };
  const std::string today = resolved(", skip: true, level_norm: false, input_skip: false");
  EXPECT_FALSE(config::differing_keys(stored, today, "model").empty());  // compared as stored: refused
  EXPECT_TRUE(config::differing_keys(model_section_as_read(stored, shape), today, "model").empty());
  const auto differences = config::differing_keys(model_section_as_read(stored, shape), resolved(", input_skip: true"), "model");
  ASSERT_EQ(differences.size(), 1u);
  EXPECT_EQ(differences[0].key, "model.input_skip");
  // A section this version refuses comes back as stored.
  const std::string refused = "model: {type: mgno, padding: mirror}\n";
  EXPECT_EQ(model_section_as_read(refused, shape), refused);
}

TEST(Mgno, ReflectPaddingOnAGridTooSmallForTheLevelsIsAClearError) {
  auto model = model_from("model: {type: mgno, channels: 2, layers: 1, padding: reflect}", {1, 1, 2});
  const std::string message = test_support::message_of<UsageError>([&] { model->forward(torch::randn({1, 1, 16, 16})); });
  EXPECT_NE(message.find("use fewer levels"), std::string::npos) << message;
}

}  // namespace
