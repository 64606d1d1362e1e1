#pragma once
/// @file
/// Two-dimensional incompressible Navier–Stokes in vorticity form on the
/// periodic unit square, the FNO benchmark's equation (`ns_2d.py` of the FNO
/// authors, matched in meaning, see ../shared/reference/benchmarks-datasets.md):
///
///   dw/dt + u . grad w = nu lap w + f,   u = (d psi/dy, -d psi/dx),  -lap psi = w,
///   f(x, y) = 0.1 (sin 2 pi (x + y) + cos 2 pi (x + y)).
///
/// Pseudo-spectral on an s x s grid (x_i = i / s): the advection term is formed
/// in physical space and dealiased by the 2/3 rule (modes with |k_x| or |k_y|
/// above 2/3 of s/2 zeroed); the reference's step, explicit Euler for
/// advection and forcing and Crank–Nicolson for diffusion (first order in
/// dt overall),
///
///   w^{n+1} = [dt (f - N^n) + (1 - dt nu 2 pi^2 |k|^2) w^n] / (1 + dt nu 2 pi^2 |k|^2).
///
/// The Nyquist modes (k_x or k_y = s/2) of the initial field are dropped.
/// Every step checks the advective CFL number dt (max|u| + max|v|) s <= 1,
/// so a time step too large for the flow is a clear error, not a blow-up.
/// Trajectories are independent: a generator runs one solver per rank.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "opforge/config/config.hpp"

namespace opforge::pde {

struct Ns2dOptions {
  std::int64_t resolution = 256;        ///< s: simulation grid points per axis
  std::int64_t stored_resolution = 64;  ///< points per axis of the stored frames (spectral truncation)
  double viscosity = 1e-3;              ///< nu
  double time_step = 1e-4;              ///< dt
  double final_time = 50.0;             ///< T: frames at t = 1, 2, ..., T (frame_interval apart)
  double frame_interval = 1.0;
  double forcing_amplitude = 0.1;       ///< f's 0.1; 0: unforced
  /// The initial vorticity, a Gaussian random field with covariance
  /// C sigma^2 (-lap + tau^2 I)^(-alpha), zero mean mode: each Fourier mode's
  /// coefficient is sigma (4 pi^2 |k|^2 + tau^2)^(-alpha/2) (xi_1 + i xi_2),
  /// xi_j ~ N(0, 1), times sqrt(2) for `real_imag` (C = 2, the FNO
  /// repository's random_fields.py: real and imaginary parts each N(0, 1)
  /// after its sqrt(2)), or times 1 for `complex` (C = 1, a standard complex
  /// normal per mode). The field is the real part of their sum.
  double alpha = 2.5;
  double tau = 7.0;
  double sigma = 18.520259177452136;  ///< tau^((2 alpha - d) / 2) = 7^(3/2)
  std::string normalisation = "real_imag";

  /// The `pde:` section of an ns2d config. `regime: nu1e-3 | nu1e-4 | nu1e-5`
  /// sets the paper's viscosity and final time (T = 50, 30, 20) as defaults.
  static Ns2dOptions parse(const config::Section& section);
  std::int64_t frames() const;
  /// Largest |k| per axis that the 2/3 rule keeps: |k| <= 2/3 * floor(s/2).
  double dealias_cutoff() const;
};

/// The initial vorticity of sample `seed` on the s x s simulation grid,
/// row-major [i][j] = w(x_i, y_j).
std::vector<double> initial_vorticity(const Ns2dOptions& options, std::uint64_t seed);

/// Enstrophy <w^2>/2, palinstrophy <|grad w|^2>/2 and the forcing's work
/// <f w>, grid means of the state: for the budget dZ/dt = -2 nu P + F.
struct VorticityStatistics {
  double enstrophy = 0;
  double palinstrophy = 0;
  double forcing_work = 0;
  double max_cfl = 0;  ///< largest dt (max|u| + max|v|) s seen since the last reset
};

class Ns2dSolver {
public:
  explicit Ns2dSolver(const Ns2dOptions& options);
  Ns2dSolver(const Ns2dSolver&) = delete;
  Ns2dSolver& operator=(const Ns2dSolver&) = delete;
  ~Ns2dSolver();

  /// Starts from the vorticity w [s * s], row-major; resets the time and steps.
  void set_vorticity(const std::vector<double>& w);
  /// Advances by `duration` in steps of time_step (the last one shortened to
  /// land on it). Throws Error when a step's CFL number exceeds 1.
  void advance(double duration);
  /// The vorticity on the simulation grid, row-major.
  std::vector<double> vorticity() const;
  /// The vorticity on an m x m grid by spectral truncation: the values at
  /// x_i = i / m of the Fourier series with the modes |k_x|, |k_y| < m / 2
  /// (m even; m = s returns the field itself).
  std::vector<double> vorticity_at(std::int64_t m) const;
  VorticityStatistics statistics() const;
  double time() const;
  std::int64_t steps() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opforge::pde
