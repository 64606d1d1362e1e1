#include <gtest/gtest.h>

#include "opforge/config/config.hpp"
#include "opforge/train/models/ifno.hpp"

namespace {

using namespace opforge;
using namespace opforge::train;

std::shared_ptr<OperatorModelImpl> model(const std::string& yaml, ModelShape shape) {
  return make_model(config::Document::parse(yaml, "model.yaml").root().section("model"), shape);
}

TEST(Ifno, ParameterCountDoesNotGrowWithIterations) {
  const auto shallow = model("model: {type: ifno, modes: [4, 4, 4, 2], width: 8, iterations: 2}", {3, 3, 4});
  const auto deep = model("model: {type: ifno, modes: [4, 4, 4, 2], width: 8, iterations: 20}", {3, 3, 4});
  EXPECT_EQ(count_parameters(*shallow), count_parameters(*deep));
  const std::int64_t w = 8, spectral = 8 * w * w * 4 * 4 * 4 * 2 * 2;
  EXPECT_EQ(count_parameters(*deep), (7 * w + w) + spectral + (w * w + w) + (w * 128 + 128) + (128 * 3 + 3));
}

TEST(Ifno, IteratesTheSharedLayerWithStepOneOverL) {
  // K = 0 and W u = b (zero weight): after L steps u = u0 + (L-1)/L gelu(b) + b/L,
  // the last step without activation.
  IfnoOptions options;
  options.iterations(4).modes({2}).width(1).padding({0}).in_channels(1).out_channels(1);
  Ifno ifno(options);
  torch::NoGradGuard no_grad;
  for (auto& w : ifno->spectral->weights) w.zero_();
  ifno->skip->weight.zero_();
  ifno->skip->bias.fill_(-0.7);
  ifno->lift->weight.zero_();
  ifno->lift->bias.fill_(0.3);
  // Read the state after the iterations through an identity-like projection.
  ifno->project1 = ifno->replace_module("project1", PointwiseLinear(1, 1));
  ifno->project2 = ifno->replace_module("project2", PointwiseLinear(1, 1));
  ifno->project1->weight.fill_(1.0);
  ifno->project1->bias.fill_(10.0);  // keeps gelu in its near-identity range
  ifno->project2->weight.fill_(1.0);
  ifno->project2->bias.fill_(-10.0);
  const auto y = ifno->forward(torch::zeros({1, 1, 8}));
  const double b = -0.7, state = 0.3 + 0.75 * torch::gelu(torch::tensor(b)).item<double>() + b / 4;
  const double expected = torch::gelu(torch::tensor(state + 10.0)).item<double>() - 10.0;
  EXPECT_NEAR(y[0][0][3].item<double>(), expected, 1e-5);
}

TEST(Ifno, SpaceTimeModelKeepsItsGridAndAcceptsAnotherResolution) {
  const auto ifno = model("model: {type: ifno, modes: [3, 3, 3, 2], width: 6, iterations: 3, padding: [0, 0, 0, 2]}",
                          {3, 3, 4});
  EXPECT_EQ(ifno->forward(torch::randn({2, 3, 8, 8, 8, 4})).sizes(), (std::vector<std::int64_t>{2, 3, 8, 8, 8, 4}));
  EXPECT_EQ(ifno->forward(torch::randn({1, 3, 16, 16, 16, 4})).sizes(),
            (std::vector<std::int64_t>{1, 3, 16, 16, 16, 4}));
}

TEST(Ifno, AnInputConstantInTimeGivesTheSameOutputThroughTheSeparableFirstLayer) {
  // The first iteration starts from the lifted field itself, which the
  // separable path also builds.
  torch::manual_seed(22);
  const auto ifno = model("model: {type: ifno, modes: [3, 3, 3, 2], width: 6, iterations: 3, padding: [0, 0, 0, 2],"
                          " latent_grid: [7, 7, 7, 0], projection: 8, input_skip: true}",
                          {3, 3, 4});
  ifno->to(torch::kFloat64);
  ifno->eval();
  const auto u0 = torch::randn({2, 3, 8, 8, 8, 1}, torch::kFloat64);
  const auto repeated = u0.expand({2, 3, 8, 8, 8, 5});
  torch::NoGradGuard no_grad;
  const auto expected = ifno->forward(repeated.contiguous());
  EXPECT_LT((ifno->forward(repeated) - expected).abs().max().item<double>() / expected.abs().max().item<double>(),
            1e-12);
  // In float: the iterations run points-major on the line FFTs and fused
  // kernels, the materialised input on the GEMMs.
  ifno->to(torch::kFloat32);
  const auto repeated_float = u0.to(torch::kFloat32).expand({2, 3, 8, 8, 8, 5});
  const auto expected_float = ifno->forward(repeated_float.contiguous());
  EXPECT_LT((ifno->forward(repeated_float) - expected_float).abs().max().item<double>() /
                expected_float.abs().max().item<double>(),
            1e-5);
}

}  // namespace
