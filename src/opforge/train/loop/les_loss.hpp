#pragma once
/// @file
/// The LESnets physics loss: the residual of the filtered Navier-Stokes
/// equations with the Smagorinsky closure, evaluated pseudo-spectrally on an
/// operator's own predictions, so training needs no labelled trajectories.
/// The spatial operator is the one the les3d reference solver integrates
/// (pde/les3d.hpp; docs/les.md), written here in torch:
///   du/dt = P[ u x omega + div(2 C_s^2 Delta^2 |S| S) ]_(2/3) - nu k^2 u^
/// with P the Leray projection, (.)_(2/3) the 2/3 dealiasing, fields on
/// [0, 2 pi)^3. The time derivative is the second-order central difference
/// over the trajectory [u0, prediction_1 .. prediction_K], by default with
/// one-sided second-order differences at both ends; a divergence penalty is
/// added. Unlike the released LESnets code, nu and C_s^2 are in
/// their places and the divergence is normalised like the momentum residual.

#include <torch/torch.h>

namespace opforge::train {

struct LesResidualOptions {
  double viscosity = 1.0 / 64.0;
  double smagorinsky_cs2 = 0.01;
  double filter_width = 2.0 * M_PI / 32.0;  ///< Delta
  double frame_interval = 0.02;             ///< time between frames
  double divergence_weight = 1.0;
  /// Also score u0 and u_K with second-order one-sided differences (false:
  /// interior frames only, as the LESnets code).
  bool one_sided_ends = true;
};

/// Right-hand side of the momentum equation (pressure projected out) for
/// velocity fields [M, 3, n, n, n], in physical space. A defined
/// `learned_cs2` (0-d tensor, may require grad) replaces
/// options.smagorinsky_cs2.
torch::Tensor les_right_hand_side(const torch::Tensor& velocity, const LesResidualOptions& options,
                                  const torch::Tensor& learned_cs2 = {});

/// Divergence of [M, 3, n, n, n] fields (spectral derivative), [M, n, n, n].
torch::Tensor spectral_divergence(const torch::Tensor& velocity);

/// Per-sample physics loss of predictions [B, 3, n, n, n, K] (K >= 2
/// frames after u0 [B, 3, n, n, n]): mean squared momentum residual at the
/// interior frames 1 .. K-1 (central differences) and, with
/// one_sided_ends, at frames 0 and K (one-sided second-order differences),
/// plus divergence_weight times the mean squared divergence of the K
/// predicted frames. Returns [B]. `learned_cs2` as in les_right_hand_side.
torch::Tensor les_residual_loss(const torch::Tensor& initial, const torch::Tensor& prediction,
                                const LesResidualOptions& options, const torch::Tensor& learned_cs2 = {});

/// Diagnostics of velocity fields [M, 3, n, n, n] (per field, [M]):
/// kinetic energy <|u|^2>/2, and the dissipation rate
/// nu <|grad u|^2> + <C_s^2 Delta^2 |S|^3> that the les3d solver reports.
torch::Tensor kinetic_energy(const torch::Tensor& velocity);
torch::Tensor les_dissipation(const torch::Tensor& velocity, const LesResidualOptions& options);
/// Shell-summed energy spectrum E(K), K = round(|k|) = 0 .. n/2: [M, n/2+1].
torch::Tensor energy_spectrum(const torch::Tensor& velocity);

}  // namespace opforge::train
