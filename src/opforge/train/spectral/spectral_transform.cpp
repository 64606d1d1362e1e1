#include "opforge/train/spectral/spectral_transform.hpp"

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

/// The order [2, ..., d + 1, 0, 1] of a points-major tensor's memory axes.
std::vector<std::int64_t> points_major_order(std::int64_t d) {
  std::vector<std::int64_t> order;
  for (std::int64_t a = 0; a < d; ++a) order.push_back(2 + a);
  order.insert(order.end(), {0, 1});
  return order;
}

}  // namespace

bool is_points_major(const torch::Tensor& x) {
  if (x.dim() < 3) return false;
  std::int64_t expected = 1;
  const auto order = points_major_order(x.dim() - 2);
  for (auto a = order.rbegin(); a != order.rend(); ++a) {
    if (x.size(*a) != 1 && x.stride(*a) != expected) return false;
    expected *= x.size(*a);
  }
  return true;
}

torch::Tensor points_major_memory(const torch::Tensor& x) { return x.permute(points_major_order(x.dim() - 2)); }

torch::Tensor points_major_view(const torch::Tensor& memory) {
  // Memory axes d, d + 1 (B, C) first again, then the points' axes.
  const auto d = memory.dim() - 2;
  std::vector<std::int64_t> back{d, d + 1};
  for (std::int64_t a = 0; a < d; ++a) back.push_back(a);
  return memory.permute(back);
}

torch::Tensor empty_points_major(const std::vector<std::int64_t>& sizes, const torch::TensorOptions& options) {
  std::vector<std::int64_t> memory(sizes.begin() + 2, sizes.end());
  memory.insert(memory.end(), {sizes[0], sizes[1]});
  return points_major_view(torch::empty(memory, options));
}

torch::Tensor to_points_major(const torch::Tensor& x) {
  if (is_points_major(x)) return x;
  auto y = empty_points_major(x.sizes().vec(), x.options());
  y.copy_(x);
  return y;
}

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

}  // namespace

const torch::Tensor& TruncatedSpectrum::matrix(Matrix kind, std::int64_t n, std::int64_t m,
                                               c10::ScalarType real_type) {
  const auto key = std::make_tuple(kind, n, m, real_type);
  auto found = matrices_.find(key);
  if (found != matrices_.end()) return found->second;
  const auto points = torch::arange(n, torch::kFloat64);
  const auto low = torch::arange(m, torch::kFloat64);
  torch::Tensor built;
  switch (kind) {
    case Matrix::forward_last: {  // X_k = sum_j x_j e^{-2 pi i jk/n}, k < m: [Re rows; Im rows]
      const auto a = angles(low, points, n);
      built = torch::cat({torch::cos(a), -torch::sin(a)});
      break;
    }
    case Matrix::forward_full_real:    // F = C - iS over the kept frequencies; F (re) = [C re; -S re]
    case Matrix::forward_full_imag: {  // F (i im) = [S im; C im]
      const auto a = angles(kept_frequencies(n, m), points, n);
      built = kind == Matrix::forward_full_real ? torch::cat({torch::cos(a), -torch::sin(a)})
                                                : torch::cat({torch::sin(a), torch::cos(a)});
      break;
    }
    case Matrix::inverse_full_real:    // x_j = (1/n) sum_k X_k e^{2 pi i jk/n}, X = re + i im:
    case Matrix::inverse_full_imag: {  // Re x = [C; -S] [re; im], Im x = [S; C] [re; im] (C, S: cos, sin / n)
      const auto a = angles(kept_frequencies(n, m), points, n);
      const auto cosine = torch::cos(a) / double(n), sine = torch::sin(a) / double(n);
      built = kind == Matrix::inverse_full_real ? torch::cat({cosine, -sine}) : torch::cat({sine, cosine});
      break;
    }
    case Matrix::inverse_last: {  // irfft of the Hermitian half spectrum: [real rows; imaginary rows], [2m, n]
      const auto a = angles(low, points, n);
      // Every frequency but 0 and n/2 stands for itself and its conjugate;
      // the imaginary parts of those two are ignored, as by a C2R transform.
      auto weight = torch::full({m, 1}, 2.0 / double(n), torch::kFloat64);
      weight[0] = 1.0 / double(n);
      if (n % 2 == 0 && m == n / 2 + 1) weight[m - 1] = 1.0 / double(n);
      built = torch::cat({weight * torch::cos(a), -weight * torch::sin(a)});
      break;
    }
  }
  return matrices_.emplace(key, built.to(real_type).contiguous()).first->second;
}

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

}  // namespace

torch::Tensor TruncatedSpectrum::forward(const torch::Tensor& x) {
  return modes_to_back(forward_modes_first(x), static_cast<std::int64_t>(modes_.size()));
}

torch::Tensor TruncatedSpectrum::inverse(const torch::Tensor& spectrum, const std::vector<std::int64_t>& sizes) {
  return inverse_modes_first(modes_to_front(spectrum, static_cast<std::int64_t>(modes_.size())), sizes);
}

torch::Tensor TruncatedSpectrum::forward_modes_first(const torch::Tensor& x) {
  const auto planes = forward_planes(x);
  return torch::complex(planes[0], planes[1]);
}

torch::Tensor TruncatedSpectrum::inverse_modes_first(const torch::Tensor& spectrum,
                                                     const std::vector<std::int64_t>& sizes) {
  return inverse_planes(torch::stack({torch::real(spectrum), torch::imag(spectrum)}), sizes);
}

torch::Tensor TruncatedSpectrum::forward_planes(const torch::Tensor& x) {
  const auto d = static_cast<std::int64_t>(modes_.size());
  if (transform_ == SpectralTransform::fft) {
    const auto spectrum = modes_to_front(forward_fft(x), d);
    return torch::stack({torch::real(spectrum), torch::imag(spectrum)});
  }
  if (line_ffts_apply(x)) return forward_points_major(x);
  const auto type = x.scalar_type();
  // Last axis: [2m, n] x [n, rest] puts (Re, Im) x kept frequency in front of
  // the other axes, in their order: [2, m_d, B, C, n_1, ..., n_{d-1}].
  auto n = x.size(-1), m = modes_.back();
  auto planes = matrix(Matrix::forward_last, n, m, type).mm(x.reshape({-1, n}).t());
  std::vector<std::int64_t> shape{m, x.size(0), x.size(1)};  // mode axes so far, then B, C
  planes = forward_full_axes(planes, x, shape);
  shape.insert(shape.begin(), 2);
  return planes.view(shape);
}

torch::Tensor TruncatedSpectrum::forward_full_axes(torch::Tensor planes, const torch::Tensor& x,
                                                   std::vector<std::int64_t>& shape) {
  const auto d = static_cast<std::int64_t>(modes_.size());
  const auto type = x.scalar_type();
  // Each full axis in turn is last: consume it and put its modes in front.
  for (auto a = d - 2; a >= 0; --a) {
    const auto n = x.size(2 + a), m = modes_[static_cast<std::size_t>(a)];
    const auto& real_part = matrix(Matrix::forward_full_real, n, m, type);
    if (planes.size(0) == 1) {  // a real field: no imaginary plane
      planes = real_part.mm(planes.reshape({-1, n}).t());
    } else {
      const auto half = planes.size(0) / 2;  // real rows, then imaginary rows
      const auto re = planes.narrow(0, 0, half), im = planes.narrow(0, half, half);
      auto sum = real_part.mm(re.reshape({-1, n}).t());
      const auto& imag_matrix = matrix(Matrix::forward_full_imag, n, m, type);
      // Without autograd the second product adds into the first's result (an
      // out-of-place addmm copies it first).
      planes = torch::GradMode::is_enabled() ? torch::addmm(sum, imag_matrix, im.reshape({-1, n}).t())
                                             : sum.addmm_(imag_matrix, im.reshape({-1, n}).t());
    }
    shape.insert(shape.begin(), 2 * m);
  }
  return planes;
}

torch::Tensor TruncatedSpectrum::forward_planes_separable(const torch::Tensor& base, const torch::Tensor& profile) {
  const auto d = static_cast<std::int64_t>(modes_.size());
  OPFORGE_CHECK(base.dim() == d + 2 && base.size(-1) == 1 && profile.dim() == 1, UsageError,
                "separable spectrum: expects base [B, C, n_1, ..., 1] and a profile [n_d]");
  const auto n_last = profile.size(0), m_last = modes_.back();
  if (transform_ == SpectralTransform::fft) {
    auto shape = base.sizes().vec();
    shape.back() = n_last;
    return forward_planes(base.expand(shape) * profile);
  }
  const auto type = base.scalar_type();
  // The leading axes as in forward_planes, on one real row.
  std::vector<std::int64_t> shape{base.size(0), base.size(1)};
  const auto planes = forward_full_axes(base.reshape({1, -1}), base, shape);
  // The leading spectrum times the profile's, whose frequencies go in just
  // before B, C. A loop: broadcast products with 8 channels innermost took
  // ten times as long.
  const auto leading = planes.size(0) == 1 ? torch::cat({planes, torch::zeros_like(planes)}) : planes.contiguous();
  const auto times = matrix(Matrix::forward_last, n_last, m_last, type).mv(profile.to(type));
  shape.insert(shape.end() - 2, m_last);
  shape.insert(shape.begin(), 2);
  auto result = torch::empty(shape, base.options());
  const auto rest = base.size(0) * base.size(1), count = leading.numel() / (2 * rest);
  AT_DISPATCH_FLOATING_TYPES(type, "separable_spectrum", [&] {
    const auto* s_re = leading.data_ptr<scalar_t>();
    const auto* s_im = s_re + count * rest;
    const auto* t = times.data_ptr<scalar_t>();
    auto* out_re = result.data_ptr<scalar_t>();
    auto* out_im = out_re + count * m_last * rest;
    for (std::int64_t k = 0; k < count; ++k)
      for (std::int64_t f = 0; f < m_last; ++f) {
        const scalar_t t_re = t[f], t_im = t[m_last + f];
        const auto row = (k * m_last + f) * rest;
        for (std::int64_t c = 0; c < rest; ++c) {
          const scalar_t a = s_re[k * rest + c], b = s_im[k * rest + c];
          out_re[row + c] = a * t_re - b * t_im;
          out_im[row + c] = a * t_im + b * t_re;
        }
      }
  });
  return result;
}

torch::Tensor TruncatedSpectrum::inverse_planes(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                                const torch::Tensor& addend) {
  const auto d = static_cast<std::int64_t>(modes_.size());
  if (transform_ == SpectralTransform::fft) {
    const auto y = inverse_fft(modes_to_back(torch::complex(planes[0], planes[1]), d), sizes);
    return addend.defined() ? y + addend : y;
  }
  // The result's shape, [B, C, sizes...], which the addend must have (both
  // forms below add into it).
  std::vector<std::int64_t> shape{planes.size(d + 1), planes.size(d + 2)};
  shape.insert(shape.end(), sizes.begin(), sizes.end());
  OPFORGE_CHECK(!addend.defined() || addend.sizes().vec() == shape, UsageError,
                "spectral inverse: the addend has the wrong shape");
  if (addend.defined() && line_ffts_apply(addend) && planes.scalar_type() == addend.scalar_type())
    return inverse_points_major(planes, sizes, addend);
  const auto type = planes.scalar_type();
  const bool tracked = torch::GradMode::is_enabled();
  // Each full axis in turn is first: [re; im] rows x [rest] consumed by one
  // [rest, 2m] x [2m, n] product per output plane, which appends its points.
  auto z = planes;
  for (std::int64_t a = 0; a + 1 < d; ++a) {
    const auto n = sizes[static_cast<std::size_t>(a)], m = 2 * modes_[static_cast<std::size_t>(a)];
    const auto rows = z.reshape({2 * m, -1}).t();
    const auto& real_part = matrix(Matrix::inverse_full_real, n, m / 2, type);
    const auto& imag_part = matrix(Matrix::inverse_full_imag, n, m / 2, type);
    if (tracked) {
      z = torch::stack({rows.mm(real_part), rows.mm(imag_part)});
    } else {  // straight into the two planes: no stacking copy
      z = torch::empty({2, rows.size(0), n}, planes.options());
      auto real_plane = z[0], imag_plane = z[1];
      torch::mm_out(real_plane, rows, real_part);
      torch::mm_out(imag_plane, rows, imag_part);
    }
  }
  // The last axis, complex to real: [rest, 2m] x [2m, n] gives [B, C, n_1, ..., n_d].
  const auto n = sizes.back(), m = modes_.back();
  const auto rows = z.reshape({2 * m, -1}).t();
  const auto& last = matrix(Matrix::inverse_last, n, m, type);
  if (!addend.defined()) return rows.mm(last).view(shape);
  if (tracked || !addend.is_contiguous()) return torch::addmm(addend.reshape({-1, n}), rows, last).view(shape);
  addend.view({-1, n}).addmm_(rows, last);
  return addend;
}

bool TruncatedSpectrum::line_ffts_apply(const torch::Tensor& x) const {
  return transform_ == SpectralTransform::dft && !torch::GradMode::is_enabled() && x.device().is_cpu() &&
         (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64) &&
         x.dim() == static_cast<std::int64_t>(modes_.size()) + 2 && is_points_major(x);
}

const kernels::LineDft& TruncatedSpectrum::line_dft(std::int64_t n, int sign) {
  const auto key = std::make_pair(n, sign);
  auto found = line_dfts_.find(key);
  if (found == line_dfts_.end()) found = line_dfts_.emplace(key, kernels::LineDft(n, sign)).first;
  return found->second;
}

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

}  // namespace

std::vector<std::int64_t> TruncatedSpectrum::planes_shape(std::int64_t batch, std::int64_t channels) const {
  const auto d = modes_.size();
  std::vector<std::int64_t> shape{2};
  for (std::size_t a = 0; a < d; ++a) shape.push_back(a + 1 < d ? 2 * modes_[a] : modes_[a]);
  shape.insert(shape.end(), {batch, channels});
  return shape;
}

torch::Tensor TruncatedSpectrum::forward_points_major(const torch::Tensor& x) {
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

torch::Tensor TruncatedSpectrum::inverse_points_major(const torch::Tensor& planes,
                                                      const std::vector<std::int64_t>& sizes,
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
