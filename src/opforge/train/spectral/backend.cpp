#include "opforge/train/spectral/backend.hpp"

#include <functional>

#include "opforge/core/error.hpp"

namespace opforge::train {

std::unique_ptr<SpectralBackend> make_torch_fft_backend(std::vector<std::int64_t> modes, SpectralPhase phase);
std::unique_ptr<SpectralBackend> make_dft_backend(std::vector<std::int64_t> modes, SpectralPhase phase);
std::unique_ptr<SpectralBackend> make_line_fft_backend(std::vector<std::int64_t> modes, SpectralPhase phase);

const SpectralBackendRegistry& spectral_backends() {
  static const SpectralBackendRegistry registry = [] {
    SpectralBackendRegistry r("spectral transform");
    r.add("fft", make_torch_fft_backend, "torch::fft::rfftn of the whole grid, then slicing (the reference)");
    r.add("dft", make_dft_backend, "the kept modes only, one or two GEMMs per axis with precomputed DFT matrices");
    r.add("line_fft", make_line_fft_backend,
          "evaluation only: line FFTs on points-major fields with the channels as vector lanes, dft otherwise");
    return r;
  }();
  return registry;
}

std::vector<std::string> spectral_transform_choices() { return {"auto", "dft", "fft"}; }

std::string resolve_spectral_backend(const std::string& choice, SpectralPhase phase) {
  if (choice != "auto") return choice;
  return phase == SpectralPhase::training ? "dft" : "line_fft";
}

std::shared_ptr<SpectralBackend> make_spectral_backend(const std::string& choice, std::vector<std::int64_t> modes,
                                                       SpectralPhase phase) {
  return spectral_backends().create(resolve_spectral_backend(choice, phase), std::move(modes), phase);
}

std::vector<std::int64_t> SpectralBackend::planes_shape(std::int64_t batch, std::int64_t channels) const {
  const auto d = modes_.size();
  std::vector<std::int64_t> shape{2};
  for (std::size_t a = 0; a < d; ++a) shape.push_back(a + 1 < d ? 2 * modes_[a] : modes_[a]);
  shape.insert(shape.end(), {batch, channels});
  return shape;
}

void SpectralBackend::check_separable(const torch::Tensor& base, const torch::Tensor& profile) const {
  const auto d = static_cast<std::int64_t>(modes_.size());
  OPFORGE_CHECK(base.dim() == d + 2 && base.size(-1) == 1 && profile.dim() == 1, UsageError,
                "separable spectrum: expects base [B, C, n_1, ..., 1] and a profile [n_d]");
}

torch::Tensor SpectralBackend::forward_separable(const torch::Tensor& base, const torch::Tensor& profile) {
  check_separable(base, profile);
  auto shape = base.sizes().vec();
  shape.back() = profile.size(0);
  return forward(base.expand(shape) * profile);
}

torch::Tensor spectral_weights(const std::vector<torch::Tensor>& corners) {
  const auto d = corners.front().dim() - 3;
  // Join low and high halves axis by axis.
  std::function<torch::Tensor(std::int64_t, std::size_t)> join = [&](std::int64_t axis, std::size_t corner) {
    if (axis + 1 >= d) return torch::view_as_complex(corners[corner]);
    return torch::cat({join(axis + 1, corner), join(axis + 1, corner | (std::size_t{1} << axis))}, 2 + axis);
  };
  return join(0, 0);
}

torch::Tensor per_mode_weights(const std::vector<torch::Tensor>& corners) {
  const auto in = corners.front().size(0), out = corners.front().size(1);
  return spectral_weights(corners).reshape({in, out, -1}).permute({2, 0, 1});
}

WeightsKey weights_key(const std::vector<torch::Tensor>& weights) {
  WeightsKey key;
  for (const auto& w : weights) key.emplace_back(w.data_ptr(), w._version());
  return key;
}

torch::Tensor SpectralBackend::mix(const torch::Tensor& planes, const std::vector<torch::Tensor>& corners) {
  const auto d = static_cast<std::int64_t>(modes_.size());
  const auto batch = planes.size(d + 1), in = planes.size(d + 2), out = corners.front().size(1);
  auto shape = planes.sizes().vec();
  shape.back() = out;
  // "kbi,kio->kbo" as one batched complex product over the kept modes.
  const auto modes = planes.numel() / (2 * batch * in);
  const auto mixed = torch::bmm(torch::complex(planes[0], planes[1]).reshape({modes, batch, in}),
                                per_mode_weights(corners).contiguous());
  return torch::stack({torch::real(mixed), torch::imag(mixed)}).view(shape);
}

}  // namespace opforge::train
