// The LESnets physics loss against the les3d reference solver.
#include <gtest/gtest.h>

#include "opforge/pde/les3d.hpp"
#include "opforge/train/loop/les_loss.hpp"

namespace {

using namespace opforge;

pde::Les3dOptions solver_options() {
  pde::Les3dOptions o;
  o.resolution = 16;
  o.viscosity = 1.0 / 64;
  o.smagorinsky_cs2 = 0.01;
  o.peak_wavenumber = 2.0;
  return o;
}

train::LesResidualOptions loss_options(const pde::Les3dOptions& o, double interval) {
  train::LesResidualOptions l;
  l.viscosity = o.viscosity;
  l.smagorinsky_cs2 = o.smagorinsky_cs2;
  l.filter_width = o.delta();
  l.frame_interval = interval;
  return l;
}

torch::Tensor field(const std::vector<double>& values, std::int64_t n, torch::Dtype dtype) {
  return torch::tensor(values, torch::kFloat64).view({1, 3, n, n, n}).to(dtype);
}

/// A reference trajectory: [1, 3, n, n, n] initial field and [1, 3, n, n, n, K] frames.
std::pair<torch::Tensor, torch::Tensor> trajectory(const pde::Les3dOptions& o, std::int64_t frames, double interval,
                                                   torch::Dtype dtype) {
  pde::Les3dSolver solver(o);
  solver.set_velocity(pde::random_isotropic_field(o, 17));
  solver.advance(0.2);
  const auto initial = field(solver.velocity(), o.resolution, dtype);
  std::vector<torch::Tensor> out;
  for (std::int64_t k = 0; k < frames; ++k) {
    solver.advance(interval);
    out.push_back(field(solver.velocity(), o.resolution, dtype));
  }
  return {initial, torch::stack(out, -1)};
}

TEST(LesLoss, RightHandSideIsTheReferenceSolversOperator) {
  // Three frames h apart: the central difference is the solver's own time
  // derivative to O(h^2), so the residual measures only operator mismatch.
  const auto o = solver_options();
  const double h = 1e-4;
  const auto [initial, frames] = trajectory(o, 2, h, torch::kFloat64);
  const auto middle = frames.select(-1, 0);
  const auto rate = (frames.select(-1, 1) - initial) / (2 * h);
  const auto rhs = train::les_right_hand_side(middle, loss_options(o, h));
  const double relative = ((rate - rhs).norm() / rhs.norm()).item<double>();
  EXPECT_LT(relative, 1e-6);
  // Swapping nu and C_s^2 (the released LESnets DHIT code's bug) is visible.
  auto swapped = loss_options(o, h);
  std::swap(swapped.viscosity, swapped.smagorinsky_cs2);
  EXPECT_GT(((rate - train::les_right_hand_side(middle, swapped)).norm() / rhs.norm()).item<double>(), 100 * relative);
}

TEST(LesLoss, IsAtDiscretisationErrorOnAReferenceTrajectoryAndLargeWhenPerturbed) {
  const auto o = solver_options();
  const double interval = 0.02;
  const auto [initial, frames] = trajectory(o, 10, interval, torch::kFloat32);
  auto options = loss_options(o, interval);
  options.one_sided_ends = false;  // the paper's scheme; the one-sided ends are tested below
  const double reference = train::les_residual_loss(initial, frames, options).item<double>();
  // Scale: the mean square of the time derivative itself.
  const double scale = train::les_right_hand_side(frames.select(-1, 0), options).pow(2).mean().item<double>();
  EXPECT_LT(reference / scale, 1e-4);  // second-order central differences at dt = 0.02
  torch::manual_seed(0);
  const auto noisy = frames + 0.01 * frames.std() * torch::randn_like(frames);
  EXPECT_GT(train::les_residual_loss(initial, noisy, options).item<double>(), 100 * reference);
  // A trajectory frozen in time violates the equations by its whole rate.
  const auto frozen = initial.unsqueeze(-1).expand_as(frames);
  EXPECT_GT(train::les_residual_loss(initial, frozen, options).item<double>(), 0.5 * scale);
  // Second-order time differences: halving the interval shrinks the residual about 4x.
  const auto [initial2, frames2] = trajectory(o, 10, interval / 2, torch::kFloat32);
  auto finer_options = loss_options(o, interval / 2);
  finer_options.one_sided_ends = false;
  const double finer = train::les_residual_loss(initial2, frames2, finer_options).item<double>();
  EXPECT_LT(finer, 0.5 * reference);
}

TEST(LesLoss, OneSidedEndsPinTheFirstFrameThatCentralDifferencesLeaveLoose) {
  // Damping only frame 1 by 10%: the interior-only central scheme sees it
  // through RHS(u1) and the difference at frame 2; the one-sided difference
  // at u0 sees it divided by dt. Both schemes stay small on the exact data.
  const auto o = solver_options();
  const double interval = 0.02;
  const auto [initial, frames] = trajectory(o, 10, interval, torch::kFloat32);
  auto central = loss_options(o, interval), ends = loss_options(o, interval);
  central.one_sided_ends = false;
  const double scale = train::les_right_hand_side(frames.select(-1, 0), ends).pow(2).mean().item<double>();
  EXPECT_LT(train::les_residual_loss(initial, frames, ends).item<double>() / scale, 1e-3);
  auto damped = frames.clone();
  damped.select(-1, 0).mul_(0.9);
  auto growth = [&](const train::LesResidualOptions& l) {
    return (train::les_residual_loss(initial, damped, l) - train::les_residual_loss(initial, frames, l)).item<double>();
  };
  EXPECT_GT(growth(ends), 1.5 * growth(central));
}

TEST(LesLoss, DivergenceIsSpectralAndGradientsStayFinite) {
  const std::int64_t n = 8;
  auto x = torch::arange(n, torch::kFloat64) * (2 * M_PI / double(n));
  auto u = torch::zeros({1, 3, n, n, n}, torch::kFloat64);
  u.select(1, 0).copy_(x.sin().view({n, 1, 1}).expand({n, n, n}));
  const auto divergence = train::spectral_divergence(u);
  EXPECT_LT((divergence[0] - x.cos().view({n, 1, 1})).abs().max().item<double>(), 1e-12);
  // A resting fluid: |S| = 0, where sqrt has no derivative.
  auto prediction = torch::zeros({1, 3, n, n, n, 3}, torch::requires_grad());
  const auto loss = train::les_residual_loss(torch::zeros({1, 3, n, n, n}), prediction, {}).sum();
  loss.backward();
  EXPECT_EQ(loss.item<double>(), 0.0);
  EXPECT_TRUE(torch::isfinite(prediction.grad()).all().item<bool>());
}

TEST(LesLoss, DiagnosticsAgreeWithTheReferenceSolver) {
  const auto o = solver_options();
  pde::Les3dSolver solver(o);
  solver.set_velocity(pde::random_isotropic_field(o, 4));
  solver.advance(0.1);
  const auto u = field(solver.velocity(), o.resolution, torch::kFloat64);
  const auto stats = solver.statistics();
  const auto options = loss_options(o, 0.02);
  EXPECT_NEAR(train::kinetic_energy(u).item<double>(), stats.energy, 1e-12);
  EXPECT_NEAR(train::les_dissipation(u, options).item<double>() / stats.dissipation, 1.0, 1e-6);
  const auto spectrum = train::energy_spectrum(u);
  const auto reference = solver.energy_spectrum();
  for (std::int64_t k = 0; k <= o.resolution / 2; ++k)
    EXPECT_NEAR(spectrum[0][k].item<double>(), reference[static_cast<std::size_t>(k)], 1e-12) << "k = " << k;
}

}  // namespace

TEST(LesLoss, ALearnedCoefficientIsTheFixedOneAndTheSolversIsItsLeastSquaresFitToSecondOrder) {
  // The residual is affine in C_s^2, so the loss is a parabola in it; on a
  // reference trajectory its minimum is the solver's C_s^2, up to the
  // O(dt^2) error of the time differences.
  const auto o = solver_options();
  std::vector<double> fit_error;
  for (const double interval : {0.02, 0.005}) {
    const auto [initial, frames] = trajectory(o, 4, interval, torch::kFloat64);
    const auto options = loss_options(o, interval);
    auto loss_at = [&](double cs2) {
      return train::les_residual_loss(initial, frames, options, torch::tensor(cs2, torch::kFloat64)).item<double>();
    };
    const double fixed = train::les_residual_loss(initial, frames, options).item<double>();
    EXPECT_NEAR(loss_at(o.smagorinsky_cs2), fixed, 1e-12 * fixed);
    // Autograd's derivative is the parabola's.
    auto cs2 = torch::tensor(0.005, torch::kFloat64).requires_grad_();
    train::les_residual_loss(initial, frames, options, cs2).sum().backward();
    const double difference = (loss_at(0.005 + 1e-4) - loss_at(0.005 - 1e-4)) / 2e-4;
    EXPECT_NEAR(cs2.grad().item<double>(), difference, 1e-6 * std::abs(difference));
    const double l0 = loss_at(0.0), l1 = loss_at(0.01), l2 = loss_at(0.02);
    const double curvature = (l2 - 2 * l1 + l0) / (2 * 0.01 * 0.01), slope = (-3 * l0 + 4 * l1 - l2) / (2 * 0.01);
    fit_error.push_back(std::abs(-slope / (2 * curvature) - o.smagorinsky_cs2) / o.smagorinsky_cs2);
  }
  EXPECT_LT(fit_error[0], 0.01);                // measured 0.09% at dt = 0.02
  EXPECT_LT(fit_error[1], fit_error[0] / 8.0);  // dt / 4: ~16x smaller
}
