#include <gtest/gtest.h>
#include <torch/torch.h>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/train/loop/gradient_sync.hpp"
#include "opforge/train/models/model.hpp"

namespace {

using namespace opforge;

const Communicator& world() { return Environment::current().world(); }

std::shared_ptr<train::OperatorModelImpl> small_fno() {
  torch::manual_seed(11);
  const auto doc = config::Document::parse("model: {type: fno, modes: [3, 3], width: 6, layers: 3, padding: 1}", "m");
  return train::make_model(doc.root().section("model"), {1, 1, 2});
}

/// Gradients of one step on this rank's `samples` (none: no backward at all), synchronised.
std::vector<torch::Tensor> synchronised_gradients(std::int64_t samples, bool overlap, std::size_t bucket_bytes) {
  auto model = small_fno();
  train::broadcast_parameters(world(), *model);
  train::GradientSync sync(world(), *model, bucket_bytes, overlap);
  std::vector<torch::Tensor> out;
  for (int step = 0; step < 2; ++step) {  // twice: the state must reset between steps
    model->zero_grad();
    if (samples > 0) {
      torch::manual_seed(100 + world().rank() + 10 * step);
      model->forward(torch::randn({samples, 1, 10, 9})).square().mean().backward();
    }
    sync.allreduce(0.5);
  }
  for (auto& p : model->parameters()) out.push_back(p.grad().clone());
  return out;
}

TEST(GradientSync, OverlappedBucketsGiveTheBlockingSumBitwise) {
  // 1 KB buckets: many of them, started from backward's hooks in order.
  const auto blocking = synchronised_gradients(3, false, 1024);
  const auto overlapped = synchronised_gradients(3, true, 1024);
  ASSERT_EQ(blocking.size(), overlapped.size());
  for (std::size_t i = 0; i < blocking.size(); ++i) {
    EXPECT_TRUE(torch::equal(blocking[i], overlapped[i])) << "parameter " << i;
    EXPECT_GT(blocking[i].abs().max().item<double>(), 0.0) << "parameter " << i;
  }
}

TEST(GradientSync, ARankWithoutSamplesContributesZeros) {
  // The last rank runs no backward (a short last batch); the others' gradients are still summed.
  const std::int64_t samples = world().rank() + 1 == world().size() && world().size() > 1 ? 0 : 2;
  const auto blocking = synchronised_gradients(samples, false, 1024);
  const auto overlapped = synchronised_gradients(samples, true, 1024);
  for (std::size_t i = 0; i < blocking.size(); ++i) EXPECT_TRUE(torch::equal(blocking[i], overlapped[i])) << i;
}

TEST(GradientSync, HooksAreRemovedWithTheSync) {
  auto model = small_fno();
  { train::GradientSync sync(world(), *model, 1024, true); }
  // Without hooks pointing at the destroyed sync, backward (twice) must just work.
  for (int k = 0; k < 2; ++k) model->forward(torch::randn({1, 1, 10, 9})).sum().backward();
  EXPECT_TRUE(model->parameters().front().grad().defined());
}

}  // namespace
