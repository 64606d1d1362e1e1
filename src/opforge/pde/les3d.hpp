#pragma once
/// @file
/// Large-eddy simulation in the periodic box [0, 2pi)^3 (decaying homogeneous
/// isotropic turbulence, or a temporally evolving mixing layer): filtered incompressible Navier-Stokes with the
/// Smagorinsky closure, pseudo-spectral in space (rotational convection,
/// 2/3 dealiasing, Leray projection, so div u = 0 to round-off and no
/// pressure solve is needed), integrating-factor RK4 in time (viscous term
/// exact). The spatial operator is the one the LESnets physics loss
/// (train/les_loss) evaluates; docs/les.md writes it out.
///
/// A velocity field is [3, n, n, n] doubles, C order (component, x, y, z),
/// at x_i = 2 pi i / n.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "opforge/config/config.hpp"

namespace opforge::pde {

/// How each sample's initial field is made (`initial:` in the config).
enum class Les3dFlow {
  /// Random solenoidal field with the spectrum E(k) below (decaying HIT).
  isotropic,
  /// Temporally evolving mixing layer: two tanh shear layers (a periodic box
  /// needs both) plus a small random solenoidal perturbation near them.
  mixing_layer
};

/// The double shear layer u_x(y) = dU/2 [tanh((y - pi/2)/d) - tanh((y - 3pi/2)/d) - 1]
/// (dU = velocity_difference, d = thickness: half the vorticity thickness),
/// perturbed by a random solenoidal field of the options' spectrum shape,
/// windowed by Gaussians of width 2d around y = pi/2 and 3pi/2, without x-z
/// mean, of r.m.s. perturbation_rms * dU per component.
struct MixingLayerOptions {
  double velocity_difference = 1.0;
  double thickness = 0.4;
  double perturbation_rms = 0.05;
};

struct Les3dOptions {
  std::int64_t resolution = 32;
  double viscosity = 1.0 / 64.0;
  double smagorinsky_cs2 = 0.01;  ///< C_s^2
  double filter_width = 0.0;      ///< Delta; 0 means the grid spacing 2 pi / n
  /// Initial spectrum E(k) ~ k^4 exp(-2 k^2 / k0^2) (peak at k0), scaled to
  /// this r.m.s. velocity per component.
  double peak_wavenumber = 4.0;
  double velocity_rms = 1.0;
  /// Simulated time before the first stored field (lets the random phases
  /// develop into turbulence).
  double spinup_time = 0.5;
  double frame_interval = 0.02;  ///< time between stored frames
  std::int64_t frames = 10;      ///< stored frames after the initial field
  double cfl = 0.5;              ///< dt * max(|u|+|v|+|w|) / dx
  Les3dFlow flow = Les3dFlow::isotropic;
  MixingLayerOptions mixing_layer;

  /// The `pde:` section of a les3d config (keys as above).
  static Les3dOptions parse(const config::Section& section);
  double delta() const;
  /// Largest |k| per axis kept by the 2/3 rule: modes with |k_j| < n/3.
  std::int64_t dealias_cutoff() const { return (resolution - 1) / 3; }
};

/// Kinetic energy and dissipation of a field, for validation and provenance.
struct FlowStatistics {
  double energy = 0;          ///< <|u|^2> / 2
  double dissipation = 0;     ///< resolved 2 nu <S:S> plus subgrid <C_s^2 Delta^2 |S|^3>
  double max_divergence = 0;  ///< max |div u| over the grid (spectral derivative)
  double max_speed = 0;       ///< max(|u|+|v|+|w|)
};

class Les3dSolver {
public:
  explicit Les3dSolver(const Les3dOptions& options);
  ~Les3dSolver();
  Les3dSolver(Les3dSolver&&) noexcept;
  Les3dSolver& operator=(Les3dSolver&&) noexcept;
  Les3dSolver(const Les3dSolver&) = delete;
  Les3dSolver& operator=(const Les3dSolver&) = delete;

  /// Start from `velocity` ([3, n, n, n]) at time 0.
  void set_velocity(const std::vector<double>& velocity);
  std::vector<double> velocity() const;

  /// Advance by `duration` in equal steps no longer than the CFL limit.
  void advance(double duration);
  /// One integrating-factor RK4 step.
  void step(double dt);

  double time() const;
  std::int64_t steps() const;
  FlowStatistics statistics() const;
  /// Shell-summed energy E(K), K = round(|k|) = 0 .. n.
  std::vector<double> energy_spectrum() const;
  const Les3dOptions& options() const;

private:
  friend std::vector<double> random_isotropic_field(const Les3dOptions& options, std::uint64_t seed);
  friend std::vector<double> mixing_layer_field(const Les3dOptions& options, std::uint64_t seed);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A random solenoidal field with the options' spectrum, confined to the
/// dealiased band; a function of `seed` only.
std::vector<double> random_isotropic_field(const Les3dOptions& options, std::uint64_t seed);

/// The mixing layer of MixingLayerOptions, band-limited to the dealiased
/// band; a function of `seed` only.
std::vector<double> mixing_layer_field(const Les3dOptions& options, std::uint64_t seed);

/// Sample `seed`'s initial field for options.flow.
std::vector<double> initial_field(const Les3dOptions& options, std::uint64_t seed);

/// The x-z average of u_x at each y_j of a [3, n, n, n] field.
std::vector<double> mean_streamwise_profile(const std::vector<double>& velocity, std::int64_t n);

/// Momentum thickness of a mean profile, integral of (1/4 - (u/dU)^2) dy over
/// the box: the sum over both layers of a double shear layer (each tanh
/// layer of thickness d contributes d / 2).
double momentum_thickness(const std::vector<double>& profile, double velocity_difference);

/// Kinetic energy of the fluctuation about the mean profile, <|u - U(y) e_x|^2> / 2.
double fluctuation_energy(const std::vector<double>& velocity, std::int64_t n);

/// Taylor-Green vortex u = (sin x cos y cos z, -cos x sin y cos z, 0); with
/// `planar`, the 2D vortex (sin x cos y, -cos x sin y, 0), an exact
/// Navier-Stokes solution decaying as exp(-2 nu t).
std::vector<double> taylor_green_field(std::int64_t n, bool planar);

/// The shape E(k) = k^4 exp(-2 k^2 / k0^2) of the initial spectrum (unscaled).
double initial_spectrum_shape(double k, double k0);

}  // namespace opforge::pde
