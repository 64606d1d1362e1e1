#include "opforge/pde/grf.hpp"

#include <fftw3.h>
#include <petscsys.h>
#include <petscblaslapack.h>  // after petscsys.h, which it needs

#include <algorithm>
#include <cmath>
#include <mutex>

#include "opforge/core/error.hpp"
#include "opforge/core/petsc_check.hpp"

namespace opforge::pde {
namespace {
// FFTW's planner is not thread-safe; plans are cheap with FFTW_ESTIMATE.
std::mutex planner_mutex;

std::int64_t prime_factor_sum(std::int64_t m) {
  std::int64_t sum = 0;
  for (std::int64_t p = 2; p * p <= m; ++p)
    for (; m % p == 0; m /= p) sum += p;
  return m > 1 ? sum + m : sum;
}

void transpose(const std::vector<double>& in, std::vector<double>& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) out[j * n + i] = in[i * n + j];
}
}  // namespace

bool GaussianRandomField::cosine_matrix_is_faster(std::int64_t s) {
  // Measured on Zen 4 (docs/benchmarks.md): FFTW's DCT-I costs about
  // 5.5e-4 us x s^2 x (sum of the prime factors of 2(s - 1), its codelets
  // being O(p) per factor p); the halved matrix products 1.0e-4 us x s^3 / 2.
  return s < 11 * prime_factor_sum(2 * (s - 1));
}

GaussianRandomField::GaussianRandomField(std::int64_t s, GrfOptions options) : s_(s), options_(options) {
  OPFORGE_CHECK(s >= 2, UsageError, "random field: resolution must be >= 2, got ", s);
  OPFORGE_CHECK(options.alpha > 0 && options.tau > 0, UsageError, "random field: alpha and tau must be > 0");
  // REDFT00 computes Y_i = X_0 + (-1)^i X_{n-1} + 2 sum_{k=1}^{n-2} X_k cos(pi k i / (n-1))
  // per axis: weight the interior modes by 1/2 so that Y = sum_k c_k cos(...).
  auto axis_weight = [&](std::int64_t k) { return (k == 0 || k == s_ - 1) ? 1.0 : 0.5; };
  auto basis_norm = [](std::int64_t k) { return k == 0 ? 1.0 : std::sqrt(2.0); };
  coefficient_scale_.resize(static_cast<std::size_t>(s * s));
  for (std::int64_t k = 0; k < s_; ++k)
    for (std::int64_t l = 0; l < s_; ++l)
      coefficient_scale_[static_cast<std::size_t>(k * s_ + l)] =
          options_.scale * mode_std(k, l) * basis_norm(k) * basis_norm(l) * axis_weight(k) * axis_weight(l);
  const bool matrix = options_.synthesis == GrfOptions::Synthesis::cosine_matrix ||
                      (options_.synthesis == GrfOptions::Synthesis::automatic && cosine_matrix_is_faster(s));
  if (matrix && s_ > 2) {
    const std::int64_t rows = (s_ + 1) / 2, even = (s_ + 1) / 2, odd = s_ / 2;
    cosine_even_.resize(static_cast<std::size_t>(rows * even));
    cosine_odd_.resize(static_cast<std::size_t>(rows * odd));
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t k = 0; k < s_; ++k) {
        // Reduce k i mod 2(s - 1) in integers so that cos() sees an angle in [0, 2 pi).
        const std::int64_t phase = (k * i) % (2 * (s_ - 1));
        const double value = (k == 0 || k == s_ - 1 ? 1.0 : 2.0) * std::cos(M_PI * double(phase) / double(s_ - 1));
        if (k % 2 == 0) cosine_even_[static_cast<std::size_t>(i * even + k / 2)] = value;
        else cosine_odd_[static_cast<std::size_t>(i * odd + k / 2)] = value;
      }
    return;
  }
  // Planned on scratch arrays; FFTW_UNALIGNED lets sample() run it on any vectors.
  std::vector<double> in(coefficient_scale_.size()), out(coefficient_scale_.size());
  std::lock_guard<std::mutex> lock(planner_mutex);
  fftw_plan plan = fftw_plan_r2r_2d(static_cast<int>(s_), static_cast<int>(s_), in.data(), out.data(), FFTW_REDFT00,
                                    FFTW_REDFT00, FFTW_ESTIMATE | FFTW_UNALIGNED);
  OPFORGE_CHECK(plan != nullptr, InternalError, "FFTW could not plan a ", s_, "x", s_, " DCT");
  plan_ = std::shared_ptr<void>(plan, [](void* p) {
    std::lock_guard<std::mutex> destroy_lock(planner_mutex);
    fftw_destroy_plan(static_cast<fftw_plan>(p));
  });
}

double GaussianRandomField::mode_std(std::int64_t k, std::int64_t l) const {
  if (options_.zero_mean_mode && k == 0 && l == 0) return 0.0;
  const double eigenvalue = M_PI * M_PI * double(k * k + l * l) + options_.tau * options_.tau;
  return std::pow(eigenvalue, -options_.alpha / 2.0);
}

double GaussianRandomField::variance(std::int64_t i, std::int64_t j) const {
  const double x = double(i) / double(s_ - 1), y = double(j) / double(s_ - 1);
  auto phi = [](std::int64_t k, double t) { return k == 0 ? 1.0 : std::sqrt(2.0) * std::cos(M_PI * double(k) * t); };
  double sum = 0.0;
  for (std::int64_t k = 0; k < s_; ++k)
    for (std::int64_t l = 0; l < s_; ++l) {
      const double v = mode_std(k, l) * phi(k, x) * phi(l, y);
      sum += v * v;
    }
  return sum * options_.scale * options_.scale;
}

Field2D GaussianRandomField::sample(Random& random) const {
  const auto n = static_cast<std::size_t>(s_);
  std::vector<double> coefficients(n * n), grid(n * n);
  for (std::size_t q = 0; q < n * n; ++q) coefficients[q] = coefficient_scale_[q] * random.normal();
  if (uses_cosine_matrix()) {
    // grid = T c T^T, as (T (T c)^T)^T.
    std::vector<double> half(n * n);
    cosine_transform_rows(coefficients.data(), half.data());
    transpose(half, coefficients, n);
    cosine_transform_rows(coefficients.data(), half.data());
    transpose(half, grid, n);
  } else {
    fftw_execute_r2r(static_cast<fftw_plan>(plan_.get()), coefficients.data(), grid.data());
  }
  Field2D field(s_);
  field.values = std::move(grid);  // FFTW's row-major [k][l] -> [i][j]: x-major, as Field2D
  return field;
}

void GaussianRandomField::cosine_transform_rows(const double* in, double* out) const {
  const auto n = static_cast<std::size_t>(s_), rows = (n + 1) / 2, even = (n + 1) / 2, odd = n / 2;
  // Rows of `in` by the parity of their index: out = T_even in_even +- T_odd in_odd.
  std::vector<double> in_even(even * n), in_odd(odd * n), sum_even(rows * n), sum_odd(rows * n);
  for (std::size_t k = 0; k < n; ++k)
    std::copy(in + k * n, in + (k + 1) * n, (k % 2 == 0 ? in_even.data() : in_odd.data()) + (k / 2) * n);
  // Row-major X = A B is column-major X^T = B^T A^T: BLAS sees every matrix transposed.
  PetscBLASInt columns, m_rows, k_even, k_odd;
  OPFORGE_PETSC_CALL(PetscBLASIntCast(static_cast<PetscInt>(n), &columns));
  OPFORGE_PETSC_CALL(PetscBLASIntCast(static_cast<PetscInt>(rows), &m_rows));
  OPFORGE_PETSC_CALL(PetscBLASIntCast(static_cast<PetscInt>(even), &k_even));
  OPFORGE_PETSC_CALL(PetscBLASIntCast(static_cast<PetscInt>(odd), &k_odd));
  const PetscScalar one = 1.0, zero = 0.0;
  BLASgemm_("N", "N", &columns, &m_rows, &k_even, &one, in_even.data(), &columns, cosine_even_.data(), &k_even, &zero,
            sum_even.data(), &columns);
  BLASgemm_("N", "N", &columns, &m_rows, &k_odd, &one, in_odd.data(), &columns, cosine_odd_.data(), &k_odd, &zero,
            sum_odd.data(), &columns);
  for (std::size_t i = 0; i < rows; ++i) {
    const double* e = sum_even.data() + i * n;
    const double* o = sum_odd.data() + i * n;
    double* top = out + i * n;
    double* bottom = out + (n - 1 - i) * n;
    for (std::size_t j = 0; j < n; ++j) top[j] = e[j] + o[j];
    if (n - 1 - i != i)
      for (std::size_t j = 0; j < n; ++j) bottom[j] = e[j] - o[j];
  }
}

}  // namespace opforge::pde
