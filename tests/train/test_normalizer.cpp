#include <gtest/gtest.h>

#include "opforge/train/data/data.hpp"

namespace {

using namespace opforge::train;

Normalizer example_normalizer() {
  Normalizer n;
  n.input_mean = torch::tensor({0.5, -1.0, 2.0});
  n.input_std = torch::tensor({2.0, 0.25, 1.5});
  n.output_mean = n.input_mean;
  n.output_std = n.input_std;
  return n;
}

TEST(Normalizer, EncodingABroadcastInputKeepsItABroadcastWithTheSameValues) {
  // The roll-out's u0 repeated over the frames: the model recognises the
  // structure by the stride-0 axis, so encoding must not materialise it.
  const auto n = example_normalizer();
  torch::manual_seed(3);
  const auto repeated = torch::randn({2, 3, 4, 5, 1}, torch::kFloat64).expand({2, 3, 4, 5, 6});
  const auto encoded = n.encode_input(repeated);
  EXPECT_EQ(encoded.stride(-1), 0);
  EXPECT_TRUE(torch::allclose(encoded, n.encode_input(repeated.contiguous()), 0.0, 0.0));
  const auto decoded = n.decode_output(encoded);
  EXPECT_TRUE(torch::allclose(decoded, repeated, 1e-14, 1e-14));
}

TEST(Normalizer, EncodingIsPerChannel) {
  const auto n = example_normalizer();
  const auto x = torch::ones({1, 3, 2}, torch::kFloat64);
  const auto encoded = n.encode_input(x);
  EXPECT_DOUBLE_EQ(encoded[0][0][1].item<double>(), (1.0 - 0.5) / 2.0);
  EXPECT_DOUBLE_EQ(encoded[0][1][0].item<double>(), (1.0 + 1.0) / 0.25);
  EXPECT_DOUBLE_EQ(encoded[0][2][1].item<double>(), (1.0 - 2.0) / 1.5);
}

}  // namespace
