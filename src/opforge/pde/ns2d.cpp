#include "opforge/pde/ns2d.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "opforge/core/error.hpp"
#include "opforge/pde/fftw.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::pde {

using fftw::AlignedArray;
using fftw::as_fftw;
using fftw::Complex;
using fftw::Plan;

namespace {

constexpr double two_pi = 2.0 * M_PI;

struct Regime {
  const char* name;
  double viscosity, final_time;
};
// The FNO paper's three regimes.
constexpr Regime regimes[] = {{"nu1e-3", 1e-3, 50.0}, {"nu1e-4", 1e-4, 30.0}, {"nu1e-5", 1e-5, 20.0}};

/// Signed wavenumber of FFT index i on n points.
std::int64_t wavenumber(std::int64_t i, std::int64_t n) { return i <= n / 2 ? i : i - n; }

}  // namespace

Ns2dOptions Ns2dOptions::parse(const config::Section& s) {
  Ns2dOptions o;
  if (s.has("regime")) {
    const std::string name = s.choice("regime", {"nu1e-3", "nu1e-4", "nu1e-5"});
    for (const auto& regime : regimes)
      if (name == regime.name) {
        o.viscosity = regime.viscosity;
        o.final_time = regime.final_time;
      }
  }
  o.resolution = s.get<std::int64_t>("resolution", o.resolution, config::at_least(8));
  if (o.resolution % 2 != 0) s.fail("resolution", "must be even (the FFT grid), got " + std::to_string(o.resolution));
  o.stored_resolution = s.get<std::int64_t>("stored_resolution", o.stored_resolution, config::at_least(2));
  if (o.stored_resolution % 2 != 0 || o.stored_resolution > o.resolution)
    s.fail("stored_resolution", "must be even and at most resolution (" + std::to_string(o.resolution) + "), got " +
                                    std::to_string(o.stored_resolution));
  o.viscosity = s.get<double>("viscosity", o.viscosity, config::non_negative());
  o.time_step = s.get<double>("time_step", o.time_step, config::positive());
  o.frame_interval = s.get<double>("frame_interval", o.frame_interval, config::positive());
  o.final_time = s.get<double>("final_time", o.final_time, config::positive());
  const double frames = o.final_time / o.frame_interval;
  if (std::abs(frames - std::round(frames)) > 1e-9 * frames)
    s.fail("final_time", "must be a whole number of frame_interval (" + std::to_string(o.frame_interval) + ")");
  o.forcing_amplitude = s.get<double>("forcing_amplitude", o.forcing_amplitude, config::unbounded());
  const config::Section grf = s.section_or_empty("initial");
  o.alpha = grf.get<double>("alpha", o.alpha, config::positive());
  o.tau = grf.get<double>("tau", o.tau, config::positive());
  o.sigma = grf.get<double>("sigma", std::pow(o.tau, (2.0 * o.alpha - 2.0) / 2.0), config::positive());
  o.normalisation = grf.choice("normalisation", {"real_imag", "complex"}, o.normalisation);
  return o;
}

std::int64_t Ns2dOptions::frames() const { return static_cast<std::int64_t>(std::llround(final_time / frame_interval)); }

double Ns2dOptions::dealias_cutoff() const { return 2.0 / 3.0 * double(resolution / 2); }

std::vector<double> initial_vorticity(const Ns2dOptions& o, std::uint64_t seed) {
  const std::int64_t s = o.resolution;
  const double factor = o.normalisation == "real_imag" ? std::sqrt(2.0) : 1.0;
  AlignedArray<Complex> coefficients(static_cast<std::size_t>(s * s));
  Random random(seed);
  for (std::int64_t i = 0; i < s; ++i)
    for (std::int64_t j = 0; j < s; ++j) {
      const double kx = double(wavenumber(i, s)), ky = double(wavenumber(j, s));
      const double amplitude = factor * o.sigma * std::pow(two_pi * two_pi * (kx * kx + ky * ky) + o.tau * o.tau,
                                                           -o.alpha / 2.0);
      const double re = random.normal(), im = random.normal();  // drawn for every mode, the zero one too
      coefficients[static_cast<std::size_t>(i * s + j)] = (i == 0 && j == 0) ? Complex{} : amplitude * Complex(re, im);
    }
  AlignedArray<Complex> field(static_cast<std::size_t>(s * s));
  Plan plan;
  {
    const std::lock_guard<std::mutex> lock(fftw::planner_mutex());
    plan = Plan(fftw_plan_dft_2d(static_cast<int>(s), static_cast<int>(s), as_fftw(coefficients.data()),
                                 as_fftw(field.data()), FFTW_BACKWARD, FFTW_ESTIMATE));
  }
  fftw_execute(plan.get());  // sum_k c_k e^{+2 pi i k.x}, unnormalised
  std::vector<double> w(static_cast<std::size_t>(s * s));
  for (std::size_t p = 0; p < w.size(); ++p) w[p] = field[p].real();
  return w;
}

struct Ns2dSolver::Impl {
  Ns2dOptions o;
  std::int64_t s, half;  ///< grid points per axis; s / 2 + 1 stored frequencies along y
  AlignedArray<Complex> w_hat, forcing_hat, scratch_hat, nonlinear_hat;
  /// The spectra of u, v, w_x, w_y (c2r destroys its input: one array each).
  AlignedArray<Complex> u_hat, v_hat, wx_hat, wy_hat;
  AlignedArray<double> u, v, wx, wy, physical;
  std::vector<double> k_x, k_y, k_squared;  ///< 2 pi k per index, |2 pi k|^2 per mode
  std::vector<double> inverse_laplacian;    ///< 1 / |2 pi k|^2, 1 at k = 0 (psi = w / |2 pi k|^2)
  std::vector<std::uint8_t> kept;           ///< 2/3 rule
  Plan forward, inverse;
  double time = 0, max_cfl = 0;
  std::int64_t steps = 0;

  explicit Impl(const Ns2dOptions& options)
      : o(options), s(options.resolution), half(options.resolution / 2 + 1),
        w_hat(modes()), forcing_hat(modes()), scratch_hat(modes()), nonlinear_hat(modes()), u_hat(modes()),
        v_hat(modes()), wx_hat(modes()), wy_hat(modes()), u(points()), v(points()), wx(points()), wy(points()),
        physical(points()) {
    k_x.resize(static_cast<std::size_t>(s));
    k_y.resize(static_cast<std::size_t>(half));
    for (std::int64_t i = 0; i < s; ++i) k_x[static_cast<std::size_t>(i)] = two_pi * double(wavenumber(i, s));
    for (std::int64_t j = 0; j < half; ++j) k_y[static_cast<std::size_t>(j)] = two_pi * double(j);
    k_squared.resize(modes());
    inverse_laplacian.resize(modes());
    kept.resize(modes());
    const double cutoff = o.dealias_cutoff();
    for (std::int64_t i = 0; i < s; ++i)
      for (std::int64_t j = 0; j < half; ++j) {
        const auto m = static_cast<std::size_t>(i * half + j);
        k_squared[m] = k_x[static_cast<std::size_t>(i)] * k_x[static_cast<std::size_t>(i)] +
                       k_y[static_cast<std::size_t>(j)] * k_y[static_cast<std::size_t>(j)];
        inverse_laplacian[m] = k_squared[m] > 0 ? 1.0 / k_squared[m] : 1.0;
        kept[m] = std::abs(double(wavenumber(i, s))) <= cutoff && double(j) <= cutoff;
      }
    {
      // FFTW_ESTIMATE: deterministic plans, so a trajectory is bitwise the same on every rank.
      const std::lock_guard<std::mutex> lock(fftw::planner_mutex());
      forward = Plan(fftw_plan_dft_r2c_2d(static_cast<int>(s), static_cast<int>(s), physical.data(),
                                          as_fftw(scratch_hat.data()), FFTW_ESTIMATE));
      inverse = Plan(fftw_plan_dft_c2r_2d(static_cast<int>(s), static_cast<int>(s), as_fftw(scratch_hat.data()),
                                          physical.data(), FFTW_ESTIMATE));
    }
    for (std::int64_t i = 0; i < s; ++i)
      for (std::int64_t j = 0; j < s; ++j) {
        const double x = double(i) / double(s), y = double(j) / double(s);
        physical[static_cast<std::size_t>(i * s + j)] =
            o.forcing_amplitude * (std::sin(two_pi * (x + y)) + std::cos(two_pi * (x + y)));
      }
    to_spectral(physical.data(), forcing_hat.data());
  }
  std::size_t modes() const { return static_cast<std::size_t>(s * half); }
  std::size_t points() const { return static_cast<std::size_t>(s * s); }

  /// Forward transform, normalised so that the inverse (unnormalised c2r) returns the field.
  void to_spectral(double* in, Complex* out) {
    fftw_execute_dft_r2c(forward.get(), in, as_fftw(out));
    const double scale = 1.0 / double(points());
    for (std::size_t m = 0; m < modes(); ++m) out[m] *= scale;
  }
  /// Inverse transform of `spectrum` (kept) into `out`.
  void to_physical(const Complex* spectrum, double* out) {
    std::copy(spectrum, spectrum + modes(), scratch_hat.data());  // c2r destroys its input
    fftw_execute_dft_c2r(inverse.get(), as_fftw(scratch_hat.data()), out);
  }
  /// N = u w_x + v w_y in spectral space, 2/3-dealiased; records the CFL
  /// number. u = d psi / dy, v = -d psi / dx, psi = w / |2 pi k|^2: the four
  /// derivative spectra in one pass, then four inverse transforms.
  void advection() {
    for (std::int64_t i = 0; i < s; ++i) {
      const double kx = k_x[static_cast<std::size_t>(i)];
      for (std::int64_t j = 0; j < half; ++j) {
        const auto m = static_cast<std::size_t>(i * half + j);
        const double ky = k_y[static_cast<std::size_t>(j)];
        const Complex iw = Complex(-w_hat[m].imag(), w_hat[m].real());  // i w
        const Complex ipsi = iw * inverse_laplacian[m];
        u_hat[m] = ky * ipsi;
        v_hat[m] = -kx * ipsi;
        wx_hat[m] = kx * iw;
        wy_hat[m] = ky * iw;
      }
    }
    fftw_execute_dft_c2r(inverse.get(), as_fftw(u_hat.data()), u.data());
    fftw_execute_dft_c2r(inverse.get(), as_fftw(v_hat.data()), v.data());
    fftw_execute_dft_c2r(inverse.get(), as_fftw(wx_hat.data()), wx.data());
    fftw_execute_dft_c2r(inverse.get(), as_fftw(wy_hat.data()), wy.data());
    double max_u = 0, max_v = 0;
    for (std::size_t p = 0; p < points(); ++p) {
      physical[p] = u[p] * wx[p] + v[p] * wy[p];
      max_u = std::max(max_u, std::abs(u[p]));
      max_v = std::max(max_v, std::abs(v[p]));
    }
    to_spectral(physical.data(), nonlinear_hat.data());
    for (std::size_t m = 0; m < modes(); ++m)
      if (!kept[m]) nonlinear_hat[m] = 0;
    last_speed = max_u + max_v;
  }
  double last_speed = 0;

  /// The coarse grid of vorticity_at: its half spectrum, values and inverse
  /// plan, made at the first call for a size rather than at every frame.
  std::int64_t coarse_size = 0;
  AlignedArray<Complex> coarse_hat;
  AlignedArray<double> coarse;
  Plan coarse_inverse;
  void prepare_coarse(std::int64_t size) {
    if (size == coarse_size) return;
    coarse_hat = AlignedArray<Complex>(static_cast<std::size_t>(size * (size / 2 + 1)));
    coarse = AlignedArray<double>(static_cast<std::size_t>(size * size));
    const std::lock_guard<std::mutex> lock(fftw::planner_mutex());
    coarse_inverse = Plan(fftw_plan_dft_c2r_2d(static_cast<int>(size), static_cast<int>(size),
                                               as_fftw(coarse_hat.data()), coarse.data(), FFTW_ESTIMATE));
    coarse_size = size;
  }

  void step(double dt) {
    advection();
    const double cfl = dt * last_speed * double(s);
    max_cfl = std::max(max_cfl, cfl);
    OPFORGE_CHECK(cfl <= 1.0, Error, "ns2d: the time step ", dt, " is too large at t = ", time, ": CFL number ", cfl,
                  " > 1 (dt (max|u| + max|v|) s); set pde.time_step <= ", dt / cfl);
    for (std::size_t m = 0; m < modes(); ++m) {
      const double diffusion = 0.5 * dt * o.viscosity * k_squared[m];
      w_hat[m] = (dt * (forcing_hat[m] - nonlinear_hat[m]) + (1.0 - diffusion) * w_hat[m]) / (1.0 + diffusion);
    }
    time += dt;
    ++steps;
  }
};

Ns2dSolver::Ns2dSolver(const Ns2dOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Ns2dSolver::~Ns2dSolver() = default;

void Ns2dSolver::set_vorticity(const std::vector<double>& w) {
  Impl& m = *impl_;
  OPFORGE_CHECK(w.size() == m.points(), UsageError, "ns2d: the vorticity has ", w.size(), " values, the grid ",
                m.points());
  std::copy(w.begin(), w.end(), m.physical.data());
  m.to_spectral(m.physical.data(), m.w_hat.data());
  // The Nyquist modes (k_x or k_y = s/2) have no sign: their derivatives are
  // not Hermitian, and inverse real transforms then differ by library. They
  // carry a 1e-6 share of a random field's amplitude and nothing feeds them
  // (the advection is dealiased), so they are dropped at the start.
  for (std::int64_t j = 0; j < m.half; ++j) m.w_hat[static_cast<std::size_t>((m.s / 2) * m.half + j)] = 0;
  for (std::int64_t i = 0; i < m.s; ++i) m.w_hat[static_cast<std::size_t>(i * m.half + m.s / 2)] = 0;
  m.time = 0;
  m.steps = 0;
  m.max_cfl = 0;
}

void Ns2dSolver::advance(double duration) {
  Impl& m = *impl_;
  const double end = m.time + duration;
  // Whole steps of dt; the last one lands on `end` (rounding of end / dt tolerated).
  const auto count = static_cast<std::int64_t>(std::ceil(duration / m.o.time_step - 1e-9));
  for (std::int64_t n = 0; n < count; ++n) m.step(n + 1 < count ? m.o.time_step : end - m.time);
}

std::vector<double> Ns2dSolver::vorticity() const { return vorticity_at(impl_->s); }

std::vector<double> Ns2dSolver::vorticity_at(std::int64_t size) const {
  Impl& m = *impl_;
  OPFORGE_CHECK(size >= 2 && size % 2 == 0 && size <= m.s, UsageError, "ns2d: cannot sample the vorticity on ",
                size, " points per axis (even, at most ", m.s, ")");
  if (size == m.s) {
    std::vector<double> w(m.points());
    m.to_physical(m.w_hat.data(), w.data());
    return w;
  }
  // The modes |k| < size / 2 of the field on a size x size grid (the Nyquist
  // mode dropped, so the result is the real truncated series).
  m.prepare_coarse(size);
  const std::int64_t half = size / 2 + 1;
  std::fill(m.coarse_hat.data(), m.coarse_hat.data() + m.coarse_hat.size(), Complex{});  // c2r consumed the last
  for (std::int64_t i = 0; i < size; ++i) {
    const std::int64_t k = wavenumber(i, size);
    if (std::abs(k) >= size / 2) continue;
    const std::int64_t source = k >= 0 ? k : m.s + k;
    for (std::int64_t j = 0; j < size / 2; ++j)
      m.coarse_hat[static_cast<std::size_t>(i * half + j)] = m.w_hat[static_cast<std::size_t>(source * m.half + j)];
  }
  fftw_execute(m.coarse_inverse.get());
  return std::vector<double>(m.coarse.data(), m.coarse.data() + m.coarse.size());
}

VorticityStatistics Ns2dSolver::statistics() const {
  Impl& m = *impl_;
  VorticityStatistics stats;
  // Parseval on the half spectrum: interior columns j stand for +-k_y.
  for (std::int64_t i = 0; i < m.s; ++i)
    for (std::int64_t j = 0; j < m.half; ++j) {
      const auto p = static_cast<std::size_t>(i * m.half + j);
      const double weight = (j == 0 || (m.s % 2 == 0 && j == m.s / 2)) ? 1.0 : 2.0;
      stats.enstrophy += 0.5 * weight * std::norm(m.w_hat[p]);
      stats.palinstrophy += 0.5 * weight * m.k_squared[p] * std::norm(m.w_hat[p]);
      stats.forcing_work += weight * (m.w_hat[p] * std::conj(m.forcing_hat[p])).real();
    }
  stats.max_cfl = m.max_cfl;
  return stats;
}

double Ns2dSolver::time() const { return impl_->time; }
std::int64_t Ns2dSolver::steps() const { return impl_->steps; }

}  // namespace opforge::pde
