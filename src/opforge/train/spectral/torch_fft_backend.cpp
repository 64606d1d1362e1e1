/// @file
/// The `fft` backend: the whole rFFT by torch::fft, then slicing (and the
/// inverse of the zero-filled spectrum), as the reference FNO code does.

#include "opforge/train/spectral/backend.hpp"

namespace opforge::train {

namespace {

/// Axes [2, 2 + d) of a [B, C, axes...] tensor moved to the front, and back.
torch::Tensor modes_to_front(const torch::Tensor& z, std::int64_t d) {
  std::vector<std::int64_t> order;
  for (std::int64_t a = 0; a < d; ++a) order.push_back(2 + a);
  order.insert(order.end(), {0, 1});
  return z.permute(order);
}
torch::Tensor modes_to_back(const torch::Tensor& z, std::int64_t d) {
  std::vector<std::int64_t> order{d, d + 1};
  for (std::int64_t a = 0; a < d; ++a) order.push_back(a);
  return z.permute(order);
}

class TorchFftBackend : public SpectralBackend {
public:
  using SpectralBackend::SpectralBackend;
  std::string name() const override { return "fft"; }

  torch::Tensor forward(const torch::Tensor& x) override {
    const auto d = static_cast<std::int64_t>(modes_.size());
    auto z = torch::fft::rfftn(x, c10::nullopt, spatial_dims());
    for (std::int64_t a = 0; a + 1 < d; ++a) {
      const auto axis = 2 + a, m = modes_[static_cast<std::size_t>(a)];
      z = torch::cat({z.narrow(axis, 0, m), z.narrow(axis, z.size(axis) - m, m)}, axis);
    }
    const auto spectrum = modes_to_front(z.narrow(1 + d, 0, modes_.back()), d);
    return torch::stack({torch::real(spectrum), torch::imag(spectrum)});
  }

  torch::Tensor inverse(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                        const torch::Tensor& addend) override {
    const auto d = static_cast<std::int64_t>(modes_.size());
    auto z = modes_to_back(torch::complex(planes[0], planes[1]), d);
    for (std::int64_t a = 0; a + 1 < d; ++a) {
      const auto axis = 2 + a, m = modes_[static_cast<std::size_t>(a)];
      z = torch::cat({z.narrow(axis, 0, m), zeros_along(z, axis, sizes[static_cast<std::size_t>(a)] - 2 * m),
                      z.narrow(axis, m, m)},
                     axis);
    }
    const auto last = 1 + d;
    z = torch::cat({z, zeros_along(z, last, sizes.back() / 2 + 1 - modes_.back())}, last);
    const auto y = torch::fft::irfftn(z, sizes, spatial_dims());
    return addend.defined() ? y + addend : y;
  }

private:
  std::vector<std::int64_t> spatial_dims() const {
    std::vector<std::int64_t> dims;
    for (std::size_t a = 0; a < modes_.size(); ++a) dims.push_back(static_cast<std::int64_t>(2 + a));
    return dims;
  }
  static torch::Tensor zeros_along(const torch::Tensor& z, std::int64_t axis, std::int64_t count) {
    auto shape = z.sizes().vec();
    shape[static_cast<std::size_t>(axis)] = count;
    return torch::zeros(shape, z.options());
  }
};

}  // namespace

std::unique_ptr<SpectralBackend> make_torch_fft_backend(std::vector<std::int64_t> modes, SpectralPhase) {
  return std::make_unique<TorchFftBackend>(std::move(modes));
}

}  // namespace opforge::train
