#pragma once
/// @file
/// The truncated Fourier transform of a Fourier layer, behind one interface:
/// real [B, C, n_1..n_d] to the kept modes of its rFFT, the per-mode channel
/// mixing, and back to a field plus an addend. On axes 1..d-1 the lowest and
/// the highest m_a frequencies are kept, on the last (real-to-complex) axis
/// the lowest m_d. The spectrum travels as real planes, modes first:
/// [2, 2m_1, ..., 2m_{d-1}, m_d, B, C] (real parts, then imaginary parts; on
/// each full axis the high half follows the low half). Normalisation is
/// rFFT's default ("backward": the inverse divides by the number of points).
///
/// Backends, registered by name in spectral_backends() and chosen once, when
/// a model is built or its evaluation starts (`model.spectral_transform`):
/// - `fft`: torch::fft::rfftn of the whole grid, then slicing, as the
///   reference FNO code does (torch_fft_backend.cpp);
/// - `dft`: the truncated DFT by GEMMs with precomputed matrices, only the
///   kept modes computed (dft_backend.hpp): training's default;
/// - `line_fft`: evaluation without autograd; points-major fields
///   (points_major.hpp) by line FFTs in place with the channels as vector
///   lanes (line_dft.hpp), other layouts as `dft` (line_fft_backend.cpp).
/// Every backend computes the same function; the tests compare each with
/// `fft` on values and (for the training backends) gradients.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "opforge/core/registry.hpp"

namespace opforge::train {

/// Training tracks gradients through the backend; evaluation runs without
/// autograd and may write into temporaries it is handed.
enum class SpectralPhase { training, evaluation };

/// The most modes an axis of `points` points can keep: points/2 on the
/// two-sided axes (low and high halves must not overlap), points/2 + 1 on
/// the last, real-to-complex one.
inline std::int64_t max_kept_modes(std::int64_t points, bool last_axis) {
  return last_axis ? points / 2 + 1 : points / 2;
}

class SpectralBackend {
public:
  explicit SpectralBackend(std::vector<std::int64_t> modes) : modes_(std::move(modes)) {}
  virtual ~SpectralBackend() = default;
  virtual std::string name() const = 0;

  /// real x [B, C, n_1..n_d] -> planes [2, 2m_1, ..., m_d, B, C].
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  /// forward of base x profile, the field whose last axis is `profile` [n_d]
  /// times `base` [B, C, n_1..n_{d-1}, 1] (a field constant in time, zero
  /// padded: the roll-out's u0 over its frames). This default forms the
  /// field; a backend may use the separability instead.
  virtual torch::Tensor forward_separable(const torch::Tensor& base, const torch::Tensor& profile);
  /// planes [2, modes..., B, in] mixed mode by mode by the layer's complex
  /// weights, given as its corner tensors [in, out, m_1..m_d, 2] (corner c
  /// holds the high frequencies of axis a when bit a of c is set):
  /// -> [2, modes..., B, out]. This default is one batched complex product.
  virtual torch::Tensor mix(const torch::Tensor& planes, const std::vector<torch::Tensor>& corners);
  /// planes [2, modes..., B, C] -> real [B, C, sizes...], plus `addend` (the
  /// result's shape) when defined. In evaluation an addend may receive the
  /// sum in its storage: pass a temporary not needed again.
  virtual torch::Tensor inverse(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                const torch::Tensor& addend = {}) = 0;

  const std::vector<std::int64_t>& modes() const { return modes_; }
  /// [2, 2m_1, ..., 2m_{d-1}, m_d, B, C]: the planes' shape.
  std::vector<std::int64_t> planes_shape(std::int64_t batch, std::int64_t channels) const;

protected:
  /// Throws unless base is [B, C, n_1, ..., 1] and profile [n_d].
  void check_separable(const torch::Tensor& base, const torch::Tensor& profile) const;
  std::vector<std::int64_t> modes_;
};

/// The corner weights as one complex [in, out, 2m_1, ..., m_d] block in the
/// layout of the truncated spectrum, and per mode, [modes, in, out].
torch::Tensor spectral_weights(const std::vector<torch::Tensor>& corners);
torch::Tensor per_mode_weights(const std::vector<torch::Tensor>& corners);

/// The storage and in-place version of each tensor: a cache built from
/// weights is stale once this changes (an optimiser step, a load).
using WeightsKey = std::vector<std::pair<const void*, std::int64_t>>;
WeightsKey weights_key(const std::vector<torch::Tensor>& weights);

using SpectralBackendRegistry = Registry<SpectralBackend, std::vector<std::int64_t>, SpectralPhase>;
/// fft, dft, line_fft (in that order: the reference first).
const SpectralBackendRegistry& spectral_backends();

/// The values of `model.spectral_transform`: auto and the backends that
/// train (line_fft is what auto means in evaluation).
std::vector<std::string> spectral_transform_choices();
/// The backend `choice` means in `phase`: auto is dft in training and
/// line_fft in evaluation; a backend's name means that backend in both
/// (line_fft refuses training).
std::string resolve_spectral_backend(const std::string& choice, SpectralPhase phase);
std::shared_ptr<SpectralBackend> make_spectral_backend(const std::string& choice, std::vector<std::int64_t> modes,
                                                       SpectralPhase phase);

}  // namespace opforge::train
