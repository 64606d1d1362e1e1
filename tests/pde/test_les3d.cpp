// The les3d reference solver: exact solutions, conservation, the energy
// budget and the initial spectrum.
#include <gtest/gtest.h>

#include <cmath>

#include "opforge/pde/les3d.hpp"

namespace {

using opforge::pde::Les3dOptions;
using opforge::pde::Les3dSolver;

Les3dOptions options(std::int64_t n, double viscosity, double cs2) {
  Les3dOptions o;
  o.resolution = n;
  o.viscosity = viscosity;
  o.smagorinsky_cs2 = cs2;
  o.peak_wavenumber = 2.0;
  return o;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b, double scale_b = 1.0) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - scale_b * b[i]));
  return worst;
}

TEST(Les3d, PlanarTaylorGreenDecaysExactlyWithoutTheClosure) {
  // u x omega is a gradient for this vortex: the projection removes it and
  // the integrating factor makes the viscous decay exact.
  const double nu = 0.1;
  Les3dSolver solver(options(16, nu, 0.0));
  const auto initial = opforge::pde::taylor_green_field(16, true);
  solver.set_velocity(initial);
  const double e0 = solver.statistics().energy;
  EXPECT_NEAR(e0, 0.25, 1e-14);
  solver.advance(1.0);
  EXPECT_NEAR(solver.time(), 1.0, 1e-12);
  EXPECT_NEAR(solver.statistics().energy / e0, std::exp(-4.0 * nu), 1e-12);
  EXPECT_LT(max_abs_difference(solver.velocity(), initial, std::exp(-2.0 * nu)), 1e-12);
}

/// Relative departure of the 3D Taylor-Green energy from the viscous limit
/// exp(-6 nu t) at nu t = 0.5 (unit velocity and length: Re = 1 / nu).
double taylor_green_departure(double nu) {
  Les3dSolver solver(options(16, nu, 0.0));
  solver.set_velocity(opforge::pde::taylor_green_field(16, false));
  const double e0 = solver.statistics().energy;
  EXPECT_NEAR(e0, 0.125, 1e-14);
  solver.advance(0.5 / nu);
  return 1.0 - solver.statistics().energy / e0 / std::exp(-6.0 * 0.5);
}

TEST(Les3d, TaylorGreenApproachesTheViscousLimitAsReynoldsNumberFalls) {
  // The nonlinear transfer to k^2 = 8 modes is O(Re^2) relative to the
  // viscous decay: 0.2% at Re = 1, a hundred times less at Re = 0.1.
  const double at_re_1 = taylor_green_departure(1.0), at_re_01 = taylor_green_departure(10.0);
  EXPECT_GT(at_re_1, 0.0);
  EXPECT_LT(at_re_1, 5e-3);
  EXPECT_NEAR(at_re_01 / at_re_1, 0.01, 0.003);
}

TEST(Les3d, InviscidTaylorGreenConservesEnergyWithoutTheClosure) {
  // nu = 0, C_s = 0: the dealiased rotational form conserves energy exactly
  // in space; what remains is RK4's time error.
  Les3dSolver solver(options(16, 0.0, 0.0));
  solver.set_velocity(opforge::pde::taylor_green_field(16, false));
  const double e0 = solver.statistics().energy;
  solver.advance(1.0);
  EXPECT_NEAR(solver.statistics().energy / e0, 1.0, 1e-6);
}

TEST(Les3d, VelocityStaysDivergenceFreeToRoundOff) {
  const auto o = options(16, 1.0 / 64, 0.01);
  Les3dSolver solver(o);
  solver.set_velocity(opforge::pde::random_isotropic_field(o, 11));
  EXPECT_LT(solver.statistics().max_divergence, 1e-12);
  solver.advance(0.3);
  const auto stats = solver.statistics();
  EXPECT_LT(stats.max_divergence, 1e-12 * stats.max_speed);
  EXPECT_GT(solver.steps(), 1);
}

TEST(Les3d, StatesHoldOnlyTheDealiasedBand) {
  // |k| <= (n - 1)/3 on every axis: a 16^3 state lives exactly on 11^3
  // points, which is what a model's latent_grid relies on.
  const auto o = options(16, 1.0 / 64, 0.01);
  Les3dSolver solver(o);
  solver.set_velocity(opforge::pde::random_isotropic_field(o, 7));
  solver.advance(0.2);
  const auto u = solver.velocity();
  const std::int64_t n = o.resolution, cutoff = o.dealias_cutoff();
  ASSERT_EQ(cutoff, 5);
  // One-dimensional DFT along each axis of each line; energy above the cutoff against all of it.
  double inside = 0, outside = 0;
  const std::int64_t strides[3] = {n * n, n, 1};
  for (int axis = 0; axis < 3; ++axis)
    for (std::int64_t c = 0; c < 3; ++c)
      for (std::int64_t line = 0; line < n * n; ++line) {
        // The two axes other than `axis` index the line.
        const std::int64_t a = line / n, b = line % n;
        const std::int64_t other[2] = {strides[(axis + 1) % 3], strides[(axis + 2) % 3]};
        const std::int64_t start = c * n * n * n + a * other[0] + b * other[1];
        for (std::int64_t k = 0; k < n; ++k) {
          double re = 0, im = 0;
          for (std::int64_t j = 0; j < n; ++j) {
            const double phase = -2.0 * M_PI * double(k * j) / double(n);
            re += u[static_cast<std::size_t>(start + j * strides[axis])] * std::cos(phase);
            im += u[static_cast<std::size_t>(start + j * strides[axis])] * std::sin(phase);
          }
          (std::min(k, n - k) <= cutoff ? inside : outside) += re * re + im * im;
        }
      }
  EXPECT_GT(inside, 1.0);
  EXPECT_LT(outside, 1e-24 * inside);
}

TEST(Les3d, EnergyDecaysAtTheDissipationRate) {
  // dE/dt = -(2 nu <S:S> + <C_s^2 Delta^2 |S|^3>): the closure and viscosity
  // are the only sinks. Central difference of E over +-h against epsilon.
  const auto o = options(16, 1.0 / 64, 0.01);
  Les3dSolver solver(o);
  solver.set_velocity(opforge::pde::random_isotropic_field(o, 3));
  solver.advance(0.2);
  const double h = 1e-3;
  const double before = solver.statistics().energy;
  solver.step(h);
  const auto middle = solver.statistics();
  solver.step(h);
  const double after = solver.statistics().energy;
  const double rate = (after - before) / (2 * h);
  EXPECT_GT(middle.dissipation, 0);
  EXPECT_NEAR(-rate / middle.dissipation, 1.0, 1e-4);

  // Without the closure the sink is smaller: the subgrid term is active.
  auto no_closure = o;
  no_closure.smagorinsky_cs2 = 0.0;
  Les3dSolver plain(no_closure);
  plain.set_velocity(solver.velocity());
  EXPECT_LT(plain.statistics().dissipation, 0.9 * middle.dissipation);
}

TEST(Les3d, InitialFieldHasThePrescribedSpectrumAndEnergy) {
  auto o = options(32, 1.0 / 64, 0.01);
  o.peak_wavenumber = 4.0;
  o.velocity_rms = 0.8;
  Les3dSolver solver(o);
  solver.set_velocity(opforge::pde::random_isotropic_field(o, 5));
  const auto stats = solver.statistics();
  EXPECT_NEAR(stats.energy, 1.5 * 0.8 * 0.8, 1e-12);
  EXPECT_LT(stats.max_divergence, 1e-12);
  const auto spectrum = solver.energy_spectrum();
  EXPECT_LT(spectrum[0], 1e-25);  // no mean flow
  const double peak = spectrum[4];
  for (int k = 1; k <= 10; ++k)
    EXPECT_NEAR(spectrum[k] / peak, opforge::pde::initial_spectrum_shape(k, 4.0) /
                                        opforge::pde::initial_spectrum_shape(4.0, 4.0), 1e-10) << "k = " << k;
  for (std::size_t k = 1; k < spectrum.size(); ++k) EXPECT_LE(spectrum[k], peak) << "k = " << k;
}

TEST(Les3d, SamplesAreAFunctionOfTheirSeedAndRunsAreBitwiseReproducible) {
  const auto o = options(16, 1.0 / 64, 0.01);
  const auto a = opforge::pde::random_isotropic_field(o, 9), b = opforge::pde::random_isotropic_field(o, 9),
             c = opforge::pde::random_isotropic_field(o, 10);
  EXPECT_EQ(a, b);
  EXPECT_GT(max_abs_difference(a, c), 0.1);
  Les3dSolver first(o), second(o);
  first.set_velocity(a);
  second.set_velocity(b);
  first.advance(0.1);
  second.advance(0.1);
  EXPECT_EQ(first.velocity(), second.velocity());
}

}  // namespace

namespace {

Les3dOptions mixing_layer(std::int64_t n, double velocity_difference) {
  Les3dOptions o;
  o.resolution = n;
  o.flow = opforge::pde::Les3dFlow::mixing_layer;
  o.mixing_layer.velocity_difference = velocity_difference;
  o.mixing_layer.thickness = 0.4;
  o.mixing_layer.perturbation_rms = 0.05;
  return o;
}

TEST(Les3dMixingLayer, StartsFromTheTanhProfileWithASolenoidalPerturbation) {
  const std::int64_t n = 32;
  const auto o = mixing_layer(n, 2.0);
  const auto u = opforge::pde::initial_field(o, 3);
  EXPECT_EQ(u, opforge::pde::mixing_layer_field(o, 3));
  // The x-z mean is the band-limited double tanh profile.
  const auto profile = opforge::pde::mean_streamwise_profile(u, n);
  for (std::int64_t j = 0; j < n; ++j) {
    const double y = 2 * M_PI * double(j) / double(n);
    const double exact = 1.0 * (std::tanh((y - M_PI / 2) / 0.4) - std::tanh((y - 3 * M_PI / 2) / 0.4) - 1.0);
    EXPECT_NEAR(profile[static_cast<std::size_t>(j)], exact, 2e-3) << "y = " << y;
  }
  // Each tanh layer of thickness d has momentum thickness d / 2.
  EXPECT_NEAR(opforge::pde::momentum_thickness(profile, 2.0), 0.4, 1e-3);
  // Perturbation: zero x-z mean, so its energy is the fluctuation energy, 3/2 (0.05 dU)^2.
  EXPECT_NEAR(opforge::pde::fluctuation_energy(u, n), 1.5 * std::pow(0.05 * 2.0, 2), 1e-12);
  Les3dSolver solver(o);
  solver.set_velocity(u);
  EXPECT_LT(solver.statistics().max_divergence, 1e-12);
  EXPECT_GT(max_abs_difference(u, opforge::pde::mixing_layer_field(o, 4)), 0.01);
}

TEST(Les3dMixingLayer, ShearFeedsThePerturbationAndTheLayersGrowAtTheTurbulentRate) {
  // nu = 1/256 (Re = dU d / nu = 102), perturbation peaked at k = 2. With the
  // shear the fluctuations grow (Kelvin-Helmholtz roll-up, then turbulence);
  // the same perturbation without it decays. Late on, each layer thickens
  // at d(theta)/dt = 0.014-0.019 dU in DNS and LES of temporal mixing layers
  // (Rogers & Moser 1994; Vreman et al. 1997).
  const std::int64_t n = 32;
  Les3dOptions o = mixing_layer(n, 1.0);
  o.viscosity = 1.0 / 256.0;
  o.peak_wavenumber = 2.0;
  const auto sheared = opforge::pde::mixing_layer_field(o, 1);
  auto unsheared = sheared;
  const auto base = opforge::pde::mean_streamwise_profile(sheared, n);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t l = 0; l < n; ++l)
        unsheared[static_cast<std::size_t>((i * n + j) * n + l)] -= base[static_cast<std::size_t>(j)];
  auto theta = [&](const std::vector<double>& u) {
    return opforge::pde::momentum_thickness(opforge::pde::mean_streamwise_profile(u, n), 1.0);
  };
  Les3dSolver with_shear(o), without_shear(o);
  with_shear.set_velocity(sheared);
  without_shear.set_velocity(unsheared);
  const double e0 = opforge::pde::fluctuation_energy(sheared, n);
  with_shear.advance(12.0);
  const double theta_12 = theta(with_shear.velocity());
  with_shear.advance(12.0);
  without_shear.advance(24.0);
  const auto u24 = with_shear.velocity();
  EXPECT_GT(opforge::pde::fluctuation_energy(u24, n), 3.0 * e0);
  EXPECT_LT(opforge::pde::fluctuation_energy(without_shear.velocity(), n), 0.5 * e0);
  const double growth_per_layer = (theta(u24) - theta_12) / 12.0 / 2.0;
  EXPECT_GT(growth_per_layer, 0.008);
  EXPECT_LT(growth_per_layer, 0.03);
  EXPECT_LT(with_shear.statistics().max_divergence, 1e-10);
}

}  // namespace
