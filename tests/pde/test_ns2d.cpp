#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "opforge/core/error.hpp"
#include "opforge/pde/ns2d.hpp"
#include "opforge/pde/random.hpp"
#include "support/expect_error.hpp"

namespace {

using namespace opforge;
using pde::Ns2dOptions;
using pde::Ns2dSolver;

Ns2dOptions small(std::int64_t s, double nu, double dt, double forcing) {
  Ns2dOptions o;
  o.resolution = s;
  o.stored_resolution = s;
  o.viscosity = nu;
  o.time_step = dt;
  o.forcing_amplitude = forcing;
  return o;
}

/// w(x, y) = sum of a few Fourier modes with |k| <= 3 (inside the 2/3 band of s >= 16).
std::vector<double> low_modes(std::int64_t s, std::uint64_t seed) {
  pde::Random random(seed);
  std::vector<double> w(static_cast<std::size_t>(s * s), 0.0);
  for (int kx = -3; kx <= 3; ++kx)
    for (int ky = 0; ky <= 3; ++ky) {
      if (kx == 0 && ky == 0) continue;
      const double a = random.normal(), b = random.normal();
      for (std::int64_t i = 0; i < s; ++i)
        for (std::int64_t j = 0; j < s; ++j) {
          const double phase = 2 * M_PI * (kx * double(i) + ky * double(j)) / double(s);
          w[static_cast<std::size_t>(i * s + j)] += a * std::cos(phase) + b * std::sin(phase);
        }
    }
  return w;
}

double relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double diff = 0, norm = 0;
  for (std::size_t p = 0; p < a.size(); ++p) {
    diff += (a[p] - b[p]) * (a[p] - b[p]);
    norm += b[p] * b[p];
  }
  return std::sqrt(diff / norm);
}

// An eigenfunction of the Laplacian is a steady Euler flow (u . grad w = 0),
// so unforced it decays at the viscous rate exp(-nu |2 pi k|^2 t); the
// scheme's Crank–Nicolson factor ((1 - a) / (1 + a))^n, a = dt nu |2 pi k|^2 / 2,
// is that to second order in dt.
TEST(Ns2d, AnEigenmodeDecaysAtTheViscousRate) {
  const std::int64_t s = 32;
  const double nu = 0.01, dt = 1e-3, t = 0.5;
  Ns2dSolver solver(small(s, nu, dt, 0.0));
  std::vector<double> w(static_cast<std::size_t>(s * s));
  for (std::int64_t i = 0; i < s; ++i)
    for (std::int64_t j = 0; j < s; ++j)
      w[static_cast<std::size_t>(i * s + j)] = std::sin(2 * M_PI * i / s) * std::sin(2 * M_PI * 2 * j / s);
  solver.set_vorticity(w);
  solver.advance(t);
  EXPECT_EQ(solver.steps(), 500);
  const double k2 = 4 * M_PI * M_PI * (1 + 4), a = 0.5 * dt * nu * k2;
  const double scheme = std::pow((1 - a) / (1 + a), 500), exact = std::exp(-nu * k2 * t);
  const auto after = solver.vorticity();
  std::vector<double> expected(w.size());
  for (std::size_t p = 0; p < w.size(); ++p) expected[p] = scheme * w[p];
  EXPECT_LT(relative_difference(after, expected), 1e-12);
  EXPECT_NEAR(scheme / exact, 1.0, nu * nu * k2 * k2 * k2 * dt * dt * t);  // CN: O(dt^2) per unit time
  EXPECT_GT(std::abs(scheme / exact - 1.0), 0.0);
}

// The reference scheme is first order in dt (explicit Euler advection): the
// error against a fine-step solution halves with the step.
TEST(Ns2d, ConvergesAtFirstOrderInTheTimeStep) {
  const std::int64_t s = 32;
  const double t = 0.25;
  auto run = [&](double dt) {
    Ns2dSolver solver(small(s, 1e-2, dt, 0.1));
    Ns2dOptions grf = small(s, 1e-2, dt, 0.1);
    solver.set_vorticity(pde::initial_vorticity(grf, 5));
    solver.advance(t);
    return solver.vorticity();
  };
  const auto reference = run(1.5625e-5);
  const double e1 = relative_difference(run(1e-3), reference);
  const double e2 = relative_difference(run(5e-4), reference);
  const double e3 = relative_difference(run(2.5e-4), reference);
  EXPECT_GT(e1, 1e-6);  // the flow is nonlinear enough to show an error
  EXPECT_NEAR(e1 / e2, 2.0, 0.3) << e1 << " " << e2 << " " << e3;
  EXPECT_NEAR(e2 / e3, 2.0, 0.3) << e2 << " " << e3;
}

// With the field inside the dealiased band the discrete advection conserves
// enstrophy, so dZ/dt = -2 nu P + F: the change over many small steps
// equals the integral of the right-hand side (trapezoid), up to O(dt).
TEST(Ns2d, TheEnstrophyBudgetCloses) {
  const std::int64_t s = 32;
  const double dt = 2e-5, nu = 5e-3;
  Ns2dSolver solver(small(s, nu, dt, 0.5));
  solver.set_vorticity(low_modes(s, 9));
  auto stats = solver.statistics();
  const double z0 = stats.enstrophy;
  double integral = 0;
  for (int n = 0; n < 2000; ++n) {
    const double before = -2 * nu * stats.palinstrophy + stats.forcing_work;
    solver.advance(dt);
    stats = solver.statistics();
    integral += 0.5 * dt * (before + (-2 * nu * stats.palinstrophy + stats.forcing_work));
  }
  const double change = stats.enstrophy - z0;
  EXPECT_GT(std::abs(change), 1e-3 * z0);  // the budget has something to balance
  EXPECT_NEAR(change, integral, 2e-3 * std::abs(integral)) << "dZ " << change << ", integral " << integral;
  // Unforced and inviscid, the enstrophy stays (the explicit step adds O(dt) drift).
  Ns2dSolver inviscid(small(s, 0.0, dt, 0.0));
  inviscid.set_vorticity(low_modes(s, 9));
  const double zi = inviscid.statistics().enstrophy;
  inviscid.advance(2000 * dt);
  EXPECT_NEAR(inviscid.statistics().enstrophy / zi, 1.0, 5e-3);
}

TEST(Ns2d, ATimeStepBeyondTheCflBoundIsAClearError) {
  Ns2dSolver solver(small(32, 1e-3, 0.5, 0.1));
  solver.set_vorticity(low_modes(32, 1));
  const std::string message = test_support::message_of<Error>([&] { solver.advance(1.0); });
  EXPECT_NE(message.find("ns2d: the time step 0.5 is too large at t = 0: CFL number"), std::string::npos) << message;
  EXPECT_NE(message.find("set pde.time_step <="), std::string::npos) << message;
}

// Spectral truncation onto a coarser grid returns the point values of a
// field that lives in the kept modes.
TEST(Ns2d, StoredFramesAreThePointValuesOfTheKeptModes) {
  const std::int64_t s = 64, m = 16;
  Ns2dSolver solver(small(s, 1e-3, 1e-3, 0.1));
  const auto fine = low_modes(s, 4);
  solver.set_vorticity(fine);
  const auto coarse = solver.vorticity_at(m);
  ASSERT_EQ(coarse.size(), static_cast<std::size_t>(m * m));
  const auto direct = low_modes(m, 4);
  EXPECT_LT(relative_difference(coarse, direct), 1e-12);
  EXPECT_LT(relative_difference(solver.vorticity(), fine), 1e-12);
  EXPECT_THROW(solver.vorticity_at(15), UsageError);
}

// The two normalisations differ by sqrt(2) exactly, and the field's variance
// matches the covariance's trace, sum over k != 0 of C sigma^2 (4 pi^2 |k|^2 + tau^2)^(-alpha).
TEST(Ns2d, InitialVorticityHasTheGaussianRandomFieldsVariance) {
  Ns2dOptions o;
  o.resolution = 64;
  Ns2dOptions halved = o;
  halved.normalisation = "complex";
  const auto a = pde::initial_vorticity(o, 17), b = pde::initial_vorticity(halved, 17);
  for (std::size_t p = 0; p < a.size(); p += 97) EXPECT_NEAR(a[p], std::sqrt(2.0) * b[p], 1e-12 * std::abs(a[p]) + 1e-14);
  double expected = 0;
  for (int kx = -32; kx < 32; ++kx)
    for (int ky = -32; ky < 32; ++ky)
      if (kx || ky)
        expected += 2 * o.sigma * o.sigma * std::pow(4 * M_PI * M_PI * (kx * kx + ky * ky) + o.tau * o.tau, -o.alpha);
  double measured = 0;
  const int samples = 40;
  for (int n = 0; n < samples; ++n) {
    const auto w = pde::initial_vorticity(o, 100 + n);
    double mean_square = 0;
    for (const double v : w) mean_square += v * v;
    measured += mean_square / double(w.size()) / samples;
  }
  EXPECT_NEAR(measured / expected, 1.0, 0.1) << measured << " vs " << expected;
}

}  // namespace
