#include "opforge/train/spectral/dft_backend.hpp"

#include <cmath>

#include "opforge/core/error.hpp"
#include "opforge/train/spectral/pointwise_kernels.hpp"

namespace opforge::train {

DftBackend::DftBackend(std::vector<std::int64_t> modes, SpectralPhase phase)
    : SpectralBackend(std::move(modes)), evaluation_(phase == SpectralPhase::evaluation) {}

std::unique_ptr<SpectralBackend> make_dft_backend(std::vector<std::int64_t> modes, SpectralPhase phase) {
  return std::make_unique<DftBackend>(std::move(modes), phase);
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

const torch::Tensor& DftBackend::matrix(Matrix kind, std::int64_t n, std::int64_t m, c10::ScalarType real_type) {
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

torch::Tensor DftBackend::forward(const torch::Tensor& x) {
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

torch::Tensor DftBackend::forward_full_axes(torch::Tensor planes, const torch::Tensor& x,
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
      // In evaluation the second product adds into the first's result (an
      // out-of-place addmm copies it first).
      planes = evaluation_ ? sum.addmm_(imag_matrix, im.reshape({-1, n}).t())
                           : torch::addmm(sum, imag_matrix, im.reshape({-1, n}).t());
    }
    shape.insert(shape.begin(), 2 * m);
  }
  return planes;
}

torch::Tensor DftBackend::forward_separable(const torch::Tensor& base, const torch::Tensor& profile) {
  check_separable(base, profile);
  const auto n_last = profile.size(0), m_last = modes_.back();
  const auto type = base.scalar_type();
  // The leading axes as in forward, on one real row.
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

torch::Tensor DftBackend::weight_planes(const std::vector<torch::Tensor>& corners) {
  auto key = weights_key(corners);
  if (!weight_planes_.defined() || key != weight_planes_key_) {
    const auto w = per_mode_weights(corners);
    weight_planes_ = torch::stack({torch::real(w), torch::imag(w)}).contiguous();
    weight_planes_key_ = std::move(key);
  }
  return weight_planes_;
}

torch::Tensor DftBackend::mix(const torch::Tensor& planes, const std::vector<torch::Tensor>& corners) {
  if (!evaluation_) return SpectralBackend::mix(planes, corners);
  const auto d = static_cast<std::int64_t>(modes_.size());
  const auto batch = planes.size(d + 1), in = planes.size(d + 2), out = corners.front().size(1);
  auto shape = planes.sizes().vec();
  shape.back() = out;
  const auto modes = planes.numel() / (2 * batch * in);
  const auto weights = weight_planes(corners);
  const auto input = planes.contiguous();
  auto mixed = torch::empty(shape, planes.options());
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "mix_mode_planes", [&] {
    const auto *x = input.data_ptr<scalar_t>(), *w = weights.data_ptr<scalar_t>();
    auto* y = mixed.data_ptr<scalar_t>();
    at::parallel_for(0, modes, 256, [&](std::int64_t begin, std::int64_t end) {
      kernels::mix_mode_planes_range(x, w, y, modes, batch, in, out, begin, end);
    });
  });
  return mixed;
}

std::vector<std::int64_t> DftBackend::inverse_shape(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                                    const torch::Tensor& addend) const {
  const auto d = static_cast<std::int64_t>(modes_.size());
  std::vector<std::int64_t> shape{planes.size(d + 1), planes.size(d + 2)};
  shape.insert(shape.end(), sizes.begin(), sizes.end());
  OPFORGE_CHECK(!addend.defined() || addend.sizes().vec() == shape, UsageError,
                "spectral inverse: the addend has the wrong shape");
  return shape;
}

torch::Tensor DftBackend::inverse(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                  const torch::Tensor& addend) {
  const auto d = static_cast<std::int64_t>(modes_.size());
  const auto shape = inverse_shape(planes, sizes, addend);
  const auto type = planes.scalar_type();
  // Each full axis in turn is first: [re; im] rows x [rest] consumed by one
  // [rest, 2m] x [2m, n] product per output plane, which appends its points.
  auto z = planes;
  for (std::int64_t a = 0; a + 1 < d; ++a) {
    const auto n = sizes[static_cast<std::size_t>(a)], m = 2 * modes_[static_cast<std::size_t>(a)];
    const auto rows = z.reshape({2 * m, -1}).t();
    const auto& real_part = matrix(Matrix::inverse_full_real, n, m / 2, type);
    const auto& imag_part = matrix(Matrix::inverse_full_imag, n, m / 2, type);
    if (evaluation_) {  // straight into the two planes: no stacking copy
      z = torch::empty({2, rows.size(0), n}, planes.options());
      auto real_plane = z[0], imag_plane = z[1];
      torch::mm_out(real_plane, rows, real_part);
      torch::mm_out(imag_plane, rows, imag_part);
    } else {
      z = torch::stack({rows.mm(real_part), rows.mm(imag_part)});
    }
  }
  // The last axis, complex to real: [rest, 2m] x [2m, n] gives [B, C, n_1, ..., n_d].
  const auto n = sizes.back(), m = modes_.back();
  const auto rows = z.reshape({2 * m, -1}).t();
  const auto& last = matrix(Matrix::inverse_last, n, m, type);
  if (!addend.defined()) return rows.mm(last).view(shape);
  if (!evaluation_ || !addend.is_contiguous()) return torch::addmm(addend.reshape({-1, n}), rows, last).view(shape);
  addend.view({-1, n}).addmm_(rows, last);
  return addend;
}

}  // namespace opforge::train
