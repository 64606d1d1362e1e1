/// @file
/// The `line_fft` backend, for evaluation without autograd: a points-major
/// field (points_major.hpp) is transformed axis by axis in place by line
/// FFTs with the channels as vector lanes (line_dft.hpp), a quarter of the
/// time of the GEMMs on a LESnets layer; the last, real axis keeps its small
/// DFT matrix. Fourier layers keep the points-major layout from one to the
/// next once their input has it. Other layouts take the `dft` backend's
/// evaluation path, which this backend extends.
///
/// FFTW's guru interface on the same layout was measured against line_dft
/// (bench_line_fft_vs_fftw, docs/benchmarks.md): line_dft is 3.0-3.5x
/// faster on the LESnets latent grid (21^3) and 2.0-2.5x on 32^3, slower
/// only on prime sizes (0.63x at 73), which no evaluation layout here uses.

#include <map>

#include "opforge/core/error.hpp"
#include "opforge/train/spectral/dft_backend.hpp"
#include "opforge/train/spectral/line_dft.hpp"
#include "opforge/train/spectral/points_major.hpp"

namespace opforge::train {

namespace {

/// Where the kept frequencies of an axis of n points (m per side) sit in
/// the truncated spectrum, by frequency: 0..m-1 and n-m..n-1 in order, -1
/// for the rest. The forward transform writes these rows, the inverse reads
/// them (zeros elsewhere).
kernels::RowMap kept_rows(std::int64_t n, std::int64_t m) {
  kernels::RowMap rows(static_cast<std::size_t>(n), -1);
  for (std::int64_t k = 0; k < m; ++k) {
    rows[static_cast<std::size_t>(k)] = k;
    rows[static_cast<std::size_t>(n - m + k)] = m + k;
  }
  return rows;
}

kernels::RowMap all_rows(std::int64_t n) {
  kernels::RowMap rows(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) rows[static_cast<std::size_t>(k)] = k;
  return rows;
}

class LineFftBackend : public DftBackend {
public:
  explicit LineFftBackend(std::vector<std::int64_t> modes) : DftBackend(std::move(modes), SpectralPhase::evaluation) {}
  std::string name() const override { return "line_fft"; }

  torch::Tensor forward(const torch::Tensor& x) override {
    return takes(x) ? forward_points_major(x) : DftBackend::forward(x);
  }

  torch::Tensor inverse(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                        const torch::Tensor& addend) override {
    if (!addend.defined() || !takes(addend) || planes.scalar_type() != addend.scalar_type())
      return DftBackend::inverse(planes, sizes, addend);
    inverse_shape(planes, sizes, addend);  // checks the addend
    return inverse_points_major(planes, sizes, addend);
  }

private:
  bool takes(const torch::Tensor& x) const {
    return x.device().is_cpu() && (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64) &&
           x.dim() == static_cast<std::int64_t>(modes_.size()) + 2 && is_points_major(x);
  }
  const kernels::LineDft& line_dft(std::int64_t n, int sign) {
    const auto key = std::make_pair(n, sign);
    auto found = line_dfts_.find(key);
    if (found == line_dfts_.end()) found = line_dfts_.emplace(key, kernels::LineDft(n, sign)).first;
    return found->second;
  }
  torch::Tensor forward_points_major(const torch::Tensor& x);
  torch::Tensor inverse_points_major(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                     const torch::Tensor& addend);

  /// Line-FFT plans by (points, sign).
  std::map<std::pair<std::int64_t, int>, kernels::LineDft> line_dfts_;
};

torch::Tensor LineFftBackend::forward_points_major(const torch::Tensor& x) {
  const auto d = static_cast<std::int64_t>(modes_.size());
  const auto type = x.scalar_type();
  const auto channels = x.size(0) * x.size(1);
  const auto shape = planes_shape(x.size(0), x.size(1));
  // The last axis, real to complex: [n_1..n_{d-1}, n_d, BC] -> two planes of
  // [n_1..n_{d-1}, m_d, BC]. Then each full axis, innermost first, in place
  // of its points: [outer, n_a, inner] -> [outer, 2m_a, inner].
  std::int64_t outer = 1;
  for (std::int64_t a = 0; a + 1 < d; ++a) outer *= x.size(2 + a);
  const auto n_last = x.size(-1), m_last = modes_.back();
  auto current = torch::empty({2, outer * m_last * channels}, x.options());
  std::int64_t inner = m_last * channels;
  AT_DISPATCH_FLOATING_TYPES(type, "forward_points_major", [&] {
    kernels::real_rows_forward(x.data_ptr<scalar_t>(), n_last,
                               matrix(Matrix::forward_last, n_last, m_last, type).data_ptr<scalar_t>(), m_last,
                               current[0].data_ptr<scalar_t>(), current[1].data_ptr<scalar_t>(), outer, channels);
    for (auto a = d - 2; a >= 0; --a) {
      const auto n = x.size(2 + a), m = modes_[static_cast<std::size_t>(a)];
      outer /= n;
      auto next = torch::empty({2, outer * 2 * m * inner}, x.options());
      line_dft(n, -1).apply(current[0].data_ptr<scalar_t>(), current[1].data_ptr<scalar_t>(), n, all_rows(n),
                            next[0].data_ptr<scalar_t>(), next[1].data_ptr<scalar_t>(), 2 * m, kept_rows(n, m), outer,
                            inner);
      inner *= 2 * m;
      current = next;
    }
  });
  return current.view(shape);
}

torch::Tensor LineFftBackend::inverse_points_major(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                                   const torch::Tensor& addend) {
  const auto d = static_cast<std::int64_t>(modes_.size());
  const auto type = planes.scalar_type();
  OPFORGE_CHECK(planes.sizes().vec() == planes_shape(addend.size(0), addend.size(1)), UsageError,
                "spectral inverse: the spectrum does not match the modes and the addend's batch and channels");
  const auto channels = addend.size(0) * addend.size(1);
  const auto input = planes.contiguous();
  // Each full axis, outermost first: [outer, 2m_a, inner] -> [outer, n_a,
  // inner]; the missing frequencies read as zeros. The line FFTs do not
  // divide by n: the last product does, for all axes at once.
  std::int64_t inner = input.numel() / 2, outer = 1;
  double scale = 1.0;
  auto current = input.view({2, -1});
  AT_DISPATCH_FLOATING_TYPES(type, "inverse_points_major", [&] {
    for (std::int64_t a = 0; a + 1 < d; ++a) {
      const auto n = sizes[static_cast<std::size_t>(a)], m = modes_[static_cast<std::size_t>(a)];
      inner /= 2 * m;
      auto next = torch::empty({2, outer * n * inner}, planes.options());
      line_dft(n, 1).apply(current[0].data_ptr<scalar_t>(), current[1].data_ptr<scalar_t>(), 2 * m, kept_rows(n, m),
                           next[0].data_ptr<scalar_t>(), next[1].data_ptr<scalar_t>(), n, all_rows(n), outer, inner);
      outer *= n;
      scale /= double(n);
      current = next;
    }
    // The last axis, complex to real, into the addend's storage.
    const auto n_last = sizes.back(), m_last = modes_.back();
    auto* sum = addend.data_ptr<scalar_t>();
    kernels::real_rows_inverse(current[0].data_ptr<scalar_t>(), current[1].data_ptr<scalar_t>(), m_last,
                               matrix(Matrix::inverse_last, n_last, m_last, type).data_ptr<scalar_t>(),
                               static_cast<scalar_t>(scale), n_last, sum, sum, outer, channels);
  });
  return addend;
}

}  // namespace

std::unique_ptr<SpectralBackend> make_line_fft_backend(std::vector<std::int64_t> modes, SpectralPhase phase) {
  OPFORGE_CHECK(phase == SpectralPhase::evaluation, UsageError,
                "spectral transform 'line_fft' computes no gradients: it is for evaluation (train with auto, dft or "
                "fft)");
  return std::make_unique<LineFftBackend>(std::move(modes));
}

}  // namespace opforge::train
