#include "opforge/train/loop/les_loss.hpp"

#include "opforge/core/error.hpp"

namespace opforge::train {
namespace {

/// Integer wavenumbers of the rFFT grid, broadcastable over [M, n, n, n/2+1];
/// the Nyquist entries are 0 (the derivative of that mode is not real).
struct Wavenumbers {
  torch::Tensor x, y, z, squared, kept;

  Wavenumbers(std::int64_t n, const torch::TensorOptions& real) {
    const auto exact = torch::fft::fftfreq(n, 1.0 / double(n), real);  // Nyquist as -n/2
    const auto exact_z = torch::arange(n / 2 + 1, real);
    // The 2/3 rule, as in the solver: |k_j| < n / 3 on every axis (Nyquist dropped).
    const double cutoff = double((n - 1) / 3);
    kept = (exact.abs() <= cutoff).view({n, 1, 1}).logical_and((exact.abs() <= cutoff).view({1, n, 1}))
               .logical_and((exact_z <= cutoff).view({1, 1, n / 2 + 1}));
    squared = exact.view({n, 1, 1}).pow(2) + exact.view({1, n, 1}).pow(2) + exact_z.view({1, 1, n / 2 + 1}).pow(2);
    auto axis = exact.clone(), axis_z = exact_z.clone();
    axis.index_put_({n / 2}, 0.0);
    axis_z.index_put_({n / 2}, 0.0);
    x = axis.view({n, 1, 1});
    y = axis.view({1, n, 1});
    z = axis_z.view({1, 1, n / 2 + 1});
  }
  const torch::Tensor& operator[](int axis) const { return axis == 0 ? x : axis == 1 ? y : z; }
};

const std::vector<std::int64_t> space{-3, -2, -1};

torch::Tensor to_physical(const torch::Tensor& spectrum, std::int64_t n) {
  return torch::fft::irfftn(spectrum, std::vector<std::int64_t>{n, n, n}, space);
}

/// Parseval weights of the rFFT half spectrum along z, [1, 1, n/2+1]: the
/// interior planes stand for themselves and their conjugates.
torch::Tensor half_spectrum_weight(std::int64_t n, const torch::TensorOptions& real) {
  auto weight = torch::full({n / 2 + 1}, 2.0, real);
  weight.index_put_({0}, 1.0);
  weight.index_put_({n / 2}, 1.0);
  return weight.view({1, 1, n / 2 + 1});
}

/// Physical strain-rate components S_ij, pairs (00, 11, 22, 01, 02, 12): [M, 6, n, n, n].
torch::Tensor strain_rate(const torch::Tensor& u_hat, const Wavenumbers& k, std::int64_t n) {
  const auto I = c10::complex<double>(0.0, 1.0);
  const int pi[6] = {0, 1, 2, 0, 0, 1}, pj[6] = {0, 1, 2, 1, 2, 2};
  std::vector<torch::Tensor> strain_hat;
  for (int p = 0; p < 6; ++p)
    strain_hat.push_back(0.5 * I * (k[pj[p]] * u_hat.select(1, pi[p]) + k[pi[p]] * u_hat.select(1, pj[p])));
  return to_physical(torch::stack(strain_hat, 1), n);
}

/// a x b over axis 1 of [M, 3, ...]. LibTorch 1.13's torch::cross runs a
/// scalar kernel: 4.7x slower forward and backward on 22 LES fields.
torch::Tensor cross_product(const torch::Tensor& a, const torch::Tensor& b) {
  const auto c = [](const torch::Tensor& t, int i) { return t.select(1, i); };
  return torch::stack({c(a, 1) * c(b, 2) - c(a, 2) * c(b, 1), c(a, 2) * c(b, 0) - c(a, 0) * c(b, 2),
                       c(a, 0) * c(b, 1) - c(a, 1) * c(b, 0)}, 1);
}

/// |S| = sqrt(2 S_ij S_ij) from the six components: [M, 1, n, n, n].
torch::Tensor strain_magnitude(const torch::Tensor& strain) {
  const auto pair_weight = torch::tensor({1.0, 1.0, 1.0, 2.0, 2.0, 2.0}, strain.options()).view({1, 6, 1, 1, 1});
  // The small floor keeps the gradient of sqrt finite where S = 0.
  return (2.0 * (pair_weight * strain * strain).sum(1, true) + 1e-20).sqrt();
}
}  // namespace

torch::Tensor les_right_hand_side(const torch::Tensor& u, const LesResidualOptions& options,
                                  const torch::Tensor& learned_cs2) {
  OPFORGE_CHECK(u.dim() == 5 && u.size(1) == 3 && u.size(2) == u.size(3) && u.size(3) == u.size(4), UsageError,
                "les loss: velocity fields must be [M, 3, n, n, n], got ", u.sizes());
  const std::int64_t n = u.size(2);
  const Wavenumbers k(n, u.options());
  const auto I = c10::complex<double>(0.0, 1.0);
  const auto u_hat = torch::fft::rfftn(u, c10::nullopt, space);
  auto component = [&](const torch::Tensor& t, int c) { return t.select(1, c); };
  // Vorticity and the convection term u x omega.
  const auto ux = component(u_hat, 0), uy = component(u_hat, 1), uz = component(u_hat, 2);
  const auto omega = to_physical(torch::stack({I * (k.y * uz - k.z * uy), I * (k.z * ux - k.x * uz),
                                               I * (k.x * uy - k.y * ux)}, 1), n);
  auto forcing = torch::fft::rfftn(cross_product(u, omega), c10::nullopt, space);
  if (learned_cs2.defined() || options.smagorinsky_cs2 > 0) {
    // S_ij, |S| = sqrt(2 S_ij S_ij), then div(2 nu_t S) with nu_t = C_s^2 Delta^2 |S|.
    const auto strain = strain_rate(u_hat, k, n);
    const auto magnitude = strain_magnitude(strain);
    const double delta2 = options.filter_width * options.filter_width;
    const auto stress = learned_cs2.defined() ? 2.0 * delta2 * learned_cs2.to(u.scalar_type()) * magnitude * strain
                                              : 2.0 * options.smagorinsky_cs2 * delta2 * magnitude * strain;
    const auto stress_hat = torch::fft::rfftn(stress, c10::nullopt, space);
    const int pair_of[3][3] = {{0, 3, 4}, {3, 1, 5}, {4, 5, 2}};
    std::vector<torch::Tensor> divergence;
    for (int i = 0; i < 3; ++i)
      divergence.push_back(I * (k.x * component(stress_hat, pair_of[i][0]) + k.y * component(stress_hat, pair_of[i][1]) +
                                k.z * component(stress_hat, pair_of[i][2])));
    forcing = forcing + torch::stack(divergence, 1);
  }
  // Dealias, project out the pressure, drop the mean; then the viscous term
  // (exact |k|^2; the derivative wavenumbers differ from it only at Nyquist,
  // which dealiasing removes).
  forcing = forcing * k.kept.unsqueeze(0).unsqueeze(0);
  const auto safe_squared = torch::where(k.squared > 0, k.squared, torch::ones_like(k.squared));
  const auto k_dot = (k.x * component(forcing, 0) + k.y * component(forcing, 1) + k.z * component(forcing, 2)) /
                     safe_squared;
  auto projected = torch::stack({component(forcing, 0) - k.x * k_dot, component(forcing, 1) - k.y * k_dot,
                                 component(forcing, 2) - k.z * k_dot}, 1);
  projected = projected * (k.squared > 0).unsqueeze(0).unsqueeze(0);
  return to_physical(projected - options.viscosity * k.squared * u_hat, n);
}

torch::Tensor spectral_divergence(const torch::Tensor& u) {
  const std::int64_t n = u.size(2);
  const Wavenumbers k(n, u.options());
  const auto I = c10::complex<double>(0.0, 1.0);
  const auto u_hat = torch::fft::rfftn(u, c10::nullopt, space);
  return to_physical(I * (k.x * u_hat.select(1, 0) + k.y * u_hat.select(1, 1) + k.z * u_hat.select(1, 2)), n);
}


torch::Tensor kinetic_energy(const torch::Tensor& u) { return 0.5 * u.pow(2).sum(1).flatten(1).mean(1); }

torch::Tensor les_dissipation(const torch::Tensor& u, const LesResidualOptions& options) {
  const std::int64_t n = u.size(2);
  const Wavenumbers k(n, u.options());
  const auto u_hat = torch::fft::rfftn(u, c10::nullopt, space);
  // nu <|grad u|^2> by Parseval on the rFFT half (interior kz planes count twice).
  const auto weight = half_spectrum_weight(n, u.options());
  const double cells = double(n) * double(n) * double(n);
  const auto gradient = (k.squared * weight * u_hat.abs().pow(2).sum(1)).flatten(1).sum(1) /
                        (cells * cells);
  auto result = options.viscosity * gradient;
  if (options.smagorinsky_cs2 > 0) {
    const double c_delta2 = options.smagorinsky_cs2 * options.filter_width * options.filter_width;
    result = result + c_delta2 * strain_magnitude(strain_rate(u_hat, k, n)).pow(3).flatten(1).mean(1);
  }
  return result;
}

torch::Tensor energy_spectrum(const torch::Tensor& u) {
  const std::int64_t n = u.size(2);
  const Wavenumbers k(n, u.options());
  const auto u_hat = torch::fft::rfftn(u, c10::nullopt, space);
  const auto weight = half_spectrum_weight(n, u.options());
  const double cells = double(n) * double(n) * double(n);
  const auto density = (0.5 * weight * u_hat.abs().pow(2).sum(1) / (cells * cells)).flatten(1);
  const auto shell = k.squared.sqrt().round().to(torch::kLong).flatten().clamp_max(n / 2 + 1);
  auto spectrum = torch::zeros({u.size(0), n / 2 + 2}, u.options());
  spectrum.index_add_(1, shell, density);
  return spectrum.narrow(1, 0, n / 2 + 1);  // shells beyond n/2 (corners) dropped
}

torch::Tensor les_residual_loss(const torch::Tensor& initial, const torch::Tensor& prediction,
                                const LesResidualOptions& options, const torch::Tensor& learned_cs2) {
  OPFORGE_CHECK(prediction.dim() == 6 && prediction.size(1) == 3 && prediction.size(-1) >= 2, UsageError,
                "les loss: predictions must be [B, 3, n, n, n, K] with K >= 2 frames, got ", prediction.sizes());
  OPFORGE_CHECK(initial.dim() == 5 && initial.sizes() == prediction.sizes().slice(0, 5), UsageError,
                "les loss: initial fields must be [B, 3, n, n, n] matching the predictions, got ", initial.sizes());
  const std::int64_t batch = prediction.size(0), frames = prediction.size(-1);
  const double two_dt = 2.0 * options.frame_interval;
  // Trajectory [B, 3, n, n, n, K+1] with u0 first; u_t at frames 1..K-1.
  const auto trajectory = torch::cat({initial.unsqueeze(-1), prediction}, -1);
  auto rate = (trajectory.narrow(-1, 2, frames - 1) - trajectory.narrow(-1, 0, frames - 1)) / two_dt;
  auto points = trajectory.narrow(-1, 1, frames - 1);
  if (options.one_sided_ends) {
    // Second-order one-sided differences at u0 and u_K close the odd/even
    // decoupling of central differences (leapfrog's computational mode):
    // they tie u1 to the exact u0 and pin the frame that seeds the next call.
    const auto u = [&](std::int64_t k) { return trajectory.select(-1, k).unsqueeze(-1); };
    const auto first = (-3.0 * u(0) + 4.0 * u(1) - u(2)) / two_dt;
    const auto last = (3.0 * u(frames) - 4.0 * u(frames - 1) + u(frames - 2)) / two_dt;
    rate = torch::cat({first, rate, last}, -1);
    points = trajectory;
  }
  // Frames as batch entries: [B*(frames used), 3, n, n, n].
  auto as_fields = [](const torch::Tensor& t) {
    const auto moved = t.movedim(-1, 1);  // [B, T, 3, n, n, n]
    return moved.reshape({-1, 3, t.size(2), t.size(3), t.size(4)});
  };
  const auto residual = as_fields(rate) - les_right_hand_side(as_fields(points), options, learned_cs2);
  const auto momentum = residual.pow(2).reshape({batch, -1}).mean(1);
  const auto divergence = spectral_divergence(as_fields(prediction)).pow(2).reshape({batch, -1}).mean(1);
  return momentum + options.divergence_weight * divergence;
}

}  // namespace opforge::train
