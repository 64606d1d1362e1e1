#include "opforge/train/spectral_transform.hpp"

#include <cmath>

#include "opforge/core/error.hpp"

namespace opforge::train {

SpectralTransform parse_spectral_transform(const std::string& name) {
  if (name == "dft") return SpectralTransform::dft;
  if (name == "fft") return SpectralTransform::fft;
  OPFORGE_THROW(UsageError, "spectral transform: unknown '", name, "' (dft or fft)");
}

std::string to_string(SpectralTransform transform) { return transform == SpectralTransform::dft ? "dft" : "fft"; }

TruncatedSpectrum::TruncatedSpectrum(std::vector<std::int64_t> modes, SpectralTransform transform)
    : modes_(std::move(modes)), transform_(transform) {}

namespace {

/// Frequencies kept on an axis of n points: 0..m-1 and n-m..n-1.
torch::Tensor kept_frequencies(std::int64_t n, std::int64_t m) {
  return torch::cat({torch::arange(m, torch::kFloat64), torch::arange(n - m, n, torch::kFloat64)});
}

/// Angles 2*pi*j*k/n of the outer product of j and k, in double precision
/// (j*k is reduced mod n first so that large grids keep full accuracy).
torch::Tensor angles(const torch::Tensor& j, const torch::Tensor& k, std::int64_t n) {
  return 2.0 * M_PI * torch::remainder(torch::outer(j, k), double(n)) / double(n);
}

/// Product of the sizes of axes [begin, end).
std::int64_t extent(const torch::Tensor& x, std::int64_t begin, std::int64_t end) {
  std::int64_t product = 1;
  for (auto a = begin; a < end; ++a) product *= x.size(a);
  return product;
}

}  // namespace

torch::Tensor left_multiply(const torch::Tensor& matrix, const torch::Tensor& batch) {
  // An explicit bmm: LibTorch 1.13's torch::matmul on 2-D x 3-D operands
  // gave garbage float32 parameter gradients here (the finite-difference
  // test in tests/train/test_spectral_transform.cpp catches it).
  return torch::bmm(matrix.expand({batch.size(0), -1, -1}), batch);
}

const torch::Tensor& TruncatedSpectrum::matrix(Matrix kind, std::int64_t n, std::int64_t m,
                                               c10::ScalarType real_type) {
  const auto key = std::make_tuple(kind, n, m, real_type);
  auto found = matrices_.find(key);
  if (found != matrices_.end()) return found->second;
  const auto points = torch::arange(n, torch::kFloat64);
  torch::Tensor built;
  switch (kind) {
    case Matrix::forward_full: {  // [2m, n] complex: X_k = sum_j x_j e^{-2 pi i jk/n}
      const auto a = angles(kept_frequencies(n, m), points, n);
      built = torch::complex(torch::cos(a), -torch::sin(a));
      break;
    }
    case Matrix::inverse_full: {  // [n, 2m] complex: x_j = (1/n) sum_k X_k e^{2 pi i jk/n}
      const auto a = angles(points, kept_frequencies(n, m), n);
      built = torch::complex(torch::cos(a), torch::sin(a)) / double(n);
      break;
    }
    case Matrix::forward_last: {  // [n, 2m] real, columns (Re X_k, Im X_k) interleaved
      const auto a = angles(points, torch::arange(m, torch::kFloat64), n);
      built = torch::stack({torch::cos(a), -torch::sin(a)}, -1).reshape({n, 2 * m});
      break;
    }
    case Matrix::inverse_last: {  // [2m, n] real: irfft of the Hermitian half spectrum
      const auto a = angles(torch::arange(m, torch::kFloat64), points, n);
      // Every frequency but 0 and n/2 stands for itself and its conjugate;
      // the imaginary parts of those two are ignored, as by a C2R transform.
      auto weight = torch::full({m, 1}, 2.0 / double(n), torch::kFloat64);
      weight[0] = 1.0 / double(n);
      if (n % 2 == 0 && m == n / 2 + 1) weight[m - 1] = 1.0 / double(n);
      built = torch::stack({weight * torch::cos(a), -weight * torch::sin(a)}, 1).reshape({2 * m, n});
      break;
    }
  }
  const auto complex_type = real_type == torch::kFloat64 ? torch::kComplexDouble : torch::kComplexFloat;
  built = built.to(built.is_complex() ? complex_type : real_type).contiguous();
  return matrices_.emplace(key, std::move(built)).first->second;
}

torch::Tensor TruncatedSpectrum::forward(const torch::Tensor& x) {
  if (transform_ == SpectralTransform::fft) return forward_fft(x);
  const auto d = static_cast<std::int64_t>(modes_.size());
  const auto last = x.dim() - 1;
  // Last axis first: it halves the data (real to complex) and cuts n to m.
  auto shape = x.sizes().vec();
  shape.back() = modes_.back();
  shape.push_back(2);
  auto z = torch::view_as_complex(
      x.reshape({-1, x.size(last)}).mm(matrix(Matrix::forward_last, x.size(last), modes_.back(), x.scalar_type()))
          .view(shape));
  for (auto a = d - 2; a >= 0; --a) {
    const auto axis = 2 + a;
    const auto n = z.size(axis);
    const auto& f = matrix(Matrix::forward_full, n, modes_[a], x.scalar_type());
    auto out_shape = z.sizes().vec();
    out_shape[axis] = 2 * modes_[a];
    z = left_multiply(f, z.reshape({extent(z, 0, axis), n, extent(z, axis + 1, z.dim())})).view(out_shape);
  }
  return z;
}

torch::Tensor TruncatedSpectrum::inverse(const torch::Tensor& spectrum, const std::vector<std::int64_t>& sizes) {
  if (transform_ == SpectralTransform::fft) return inverse_fft(spectrum, sizes);
  const auto d = static_cast<std::int64_t>(modes_.size());
  const auto real_type = c10::toRealValueType(spectrum.scalar_type());
  auto z = spectrum;
  for (std::int64_t a = 0; a + 1 < d; ++a) {
    const auto axis = 2 + a;
    const auto& g = matrix(Matrix::inverse_full, sizes[a], modes_[a], real_type);
    auto out_shape = z.sizes().vec();
    out_shape[axis] = sizes[a];
    z = left_multiply(g, z.reshape({extent(z, 0, axis), z.size(axis), extent(z, axis + 1, z.dim())})).view(out_shape);
  }
  auto pairs = torch::view_as_real(z.contiguous());  // [..., m_d, 2]
  const auto& g = matrix(Matrix::inverse_last, sizes.back(), modes_.back(), real_type);
  auto out_shape = z.sizes().vec();
  out_shape.back() = sizes.back();
  return pairs.view({-1, 2 * modes_.back()}).mm(g).view(out_shape);
}

torch::Tensor TruncatedSpectrum::forward_fft(const torch::Tensor& x) const {
  const auto d = static_cast<std::int64_t>(modes_.size());
  std::vector<std::int64_t> dims;
  for (std::int64_t a = 0; a < d; ++a) dims.push_back(2 + a);
  auto z = torch::fft::rfftn(x, c10::nullopt, dims);
  for (std::int64_t a = 0; a + 1 < d; ++a) {
    const auto axis = 2 + a, m = modes_[a];
    z = torch::cat({z.narrow(axis, 0, m), z.narrow(axis, z.size(axis) - m, m)}, axis);
  }
  return z.narrow(1 + d, 0, modes_.back());
}

torch::Tensor TruncatedSpectrum::inverse_fft(const torch::Tensor& spectrum, const std::vector<std::int64_t>& sizes) const {
  const auto d = static_cast<std::int64_t>(modes_.size());
  auto zeros_along = [](const torch::Tensor& z, std::int64_t axis, std::int64_t count) {
    auto shape = z.sizes().vec();
    shape[axis] = count;
    return torch::zeros(shape, z.options());
  };
  auto z = spectrum;
  for (std::int64_t a = 0; a + 1 < d; ++a) {
    const auto axis = 2 + a, m = modes_[a];
    z = torch::cat({z.narrow(axis, 0, m), zeros_along(z, axis, sizes[a] - 2 * m), z.narrow(axis, m, m)}, axis);
  }
  const auto last = 1 + d;
  z = torch::cat({z, zeros_along(z, last, sizes.back() / 2 + 1 - modes_.back())}, last);
  std::vector<std::int64_t> dims;
  for (std::int64_t a = 0; a < d; ++a) dims.push_back(2 + a);
  return torch::fft::irfftn(z, sizes, dims);
}

}  // namespace opforge::train
