#pragma once
/// @file
/// Gaussian random fields g ~ N(0, (-Delta + tau^2 I)^(-alpha)) on the unit
/// square with Neumann boundary conditions (as in the FNO Darcy benchmark),
/// by spectral synthesis in the Laplacian's cosine eigenbasis:
///   g(x, y) = sum_{k,l < s} sqrt(lambda_kl) xi_kl phi_k(x) phi_l(y),
///   lambda_kl = (pi^2 (k^2 + l^2) + tau^2)^(-alpha),
///   phi_0 = 1, phi_k = sqrt(2) cos(pi k x),  xi_kl ~ N(0, 1) i.i.d.
/// evaluated on the s x s node grid with FFTW's DCT-I (any s >= 2).

#include <cstdint>
#include <memory>
#include <vector>

#include "opforge/pde/field.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::pde {

struct GrfOptions {
  double alpha = 2.0;
  double tau = 3.0;
  /// Multiply the field by this factor.
  double scale = 1.0;
  /// Drop the constant mode (k = l = 0), as the FNO reference code does.
  bool zero_mean_mode = false;
};

class GaussianRandomField {
public:
  GaussianRandomField(std::int64_t s, GrfOptions options);
  /// One draw; consumes s*s normals from `random`.
  Field2D sample(Random& random) const;
  /// sqrt(lambda_kl) for mode (k, l) (before `scale`).
  double mode_std(std::int64_t k, std::int64_t l) const;
  /// Analytic pointwise variance Var g(x_i, y_j) of the truncated series.
  double variance(std::int64_t i, std::int64_t j) const;

private:
  std::int64_t s_;
  GrfOptions options_;
  /// Per-mode factor of xi_kl in the DCT input, computed once: a draw then
  /// costs s^2 normals and one DCT, not s^2 pow() calls.
  std::vector<double> coefficient_scale_;
  /// The s x s DCT-I, planned once (FFTW's planner is slow and not
  /// thread-safe; executing a plan on new arrays is both fast and safe).
  std::shared_ptr<void> plan_;
};

}  // namespace opforge::pde
