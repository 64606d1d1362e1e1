#include "opforge/pde/grf.hpp"

#include <fftw3.h>

#include <cmath>
#include <mutex>

#include "opforge/core/error.hpp"

namespace opforge::pde {
namespace {
// FFTW's planner is not thread-safe; plans are cheap with FFTW_ESTIMATE.
std::mutex planner_mutex;
}  // namespace

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
  fftw_execute_r2r(static_cast<fftw_plan>(plan_.get()), coefficients.data(), grid.data());
  Field2D field(s_);
  field.values = std::move(grid);  // FFTW's row-major [k][l] -> [i][j]: x-major, as Field2D
  return field;
}

}  // namespace opforge::pde
