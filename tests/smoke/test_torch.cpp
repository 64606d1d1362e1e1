// LibTorch links and runs next to MPI and PETSc in one process, and a
// gradient averaged over ranks with MPI_Allreduce is the same on every rank
// (the mechanism the data-parallel trainer builds on).

#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include "opforge/core/environment.hpp"

namespace {

TEST(TorchSmoke, AutogradGradientAveragedOverRanksAgreesEverywhere) {
  const auto& world = opforge::Environment::current().world();
  torch::manual_seed(0);
  auto weight = torch::ones({3}, torch::requires_grad());
  // Rank r sees input (r+1) * [1, 2, 3]; loss = sum(weight * x)^2 / 2.
  auto x = torch::tensor({1.0f, 2.0f, 3.0f}) * float(world.rank() + 1);
  auto loss = (weight * x).sum().pow(2) / 2;
  loss.backward();
  auto grad = weight.grad().contiguous();
  MPI_Allreduce(MPI_IN_PLACE, grad.data_ptr<float>(), static_cast<int>(grad.numel()), MPI_FLOAT, MPI_SUM,
                MPI_COMM_WORLD);
  grad /= world.size();
  // d/dw = (w.x) x = 6 (r+1)^2 [1,2,3]; mean over ranks of (r+1)^2 = (P+1)(2P+1)/6.
  const double p = world.size();
  const double scale = 6.0 * (p + 1) * (2 * p + 1) / 6.0;
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(grad[i].item<float>(), scale * (i + 1), 1e-4);
}

}  // namespace
