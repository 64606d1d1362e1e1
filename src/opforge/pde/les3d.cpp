#include "opforge/pde/les3d.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>

#include "opforge/core/error.hpp"
#include "opforge/pde/fftw.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::pde {

using Complex = std::complex<double>;

Les3dOptions Les3dOptions::parse(const config::Section& s) {
  Les3dOptions o;
  o.resolution = s.get<std::int64_t>("resolution", o.resolution, config::at_least(8));
  if (o.resolution % 2 != 0) s.fail("resolution", "must be even (the FFT grid), got " + std::to_string(o.resolution));
  o.viscosity = s.get<double>("viscosity", o.viscosity, config::non_negative());
  o.smagorinsky_cs2 = s.get<double>("smagorinsky_cs2", o.smagorinsky_cs2, config::non_negative());
  o.filter_width = s.get<double>("filter_width", 0.0, config::non_negative());
  o.flow = s.choice("initial", {"isotropic", "mixing_layer"}, std::string("isotropic")) == "mixing_layer"
               ? Les3dFlow::mixing_layer
               : Les3dFlow::isotropic;
  o.peak_wavenumber = s.get<double>("peak_wavenumber", o.peak_wavenumber, config::positive());
  if (o.flow == Les3dFlow::isotropic) {
    o.velocity_rms = s.get<double>("velocity_rms", o.velocity_rms, config::positive());
  } else {
    const config::Section layer = s.section_or_empty("mixing_layer");
    auto& m = o.mixing_layer;
    m.velocity_difference = layer.get<double>("velocity_difference", m.velocity_difference, config::positive());
    m.thickness = layer.get<double>("thickness", m.thickness, config::positive());
    m.perturbation_rms = layer.get<double>("perturbation_rms", m.perturbation_rms, config::non_negative());
    // The layers at pi/2 and 3pi/2 stay apart (tanh(pi / 2d) >= 0.995 midway)
    // and the grid resolves them.
    if (m.thickness > M_PI / 6)
      layer.fail("thickness", "must be at most pi/6 so that the two layers stay apart, got " +
                                  std::to_string(m.thickness));
    if (m.thickness < 2.0 * M_PI / double(o.resolution))
      layer.fail("thickness", "must be at least one grid spacing (2 pi / " + std::to_string(o.resolution) + ")");
  }
  o.spinup_time = s.get<double>("spinup_time", o.spinup_time, config::non_negative());
  o.frame_interval = s.get<double>("frame_interval", o.frame_interval, config::positive());
  o.frames = s.get<std::int64_t>("frames", o.frames, config::at_least(1));
  o.cfl = s.get<double>("cfl", o.cfl, config::between(1e-3, 2.0));
  if (o.peak_wavenumber > double(o.dealias_cutoff()))
    s.fail("peak_wavenumber", "must lie inside the dealiased band |k| <= " + std::to_string(o.dealias_cutoff()));
  return o;
}

double Les3dOptions::delta() const { return filter_width > 0 ? filter_width : 2.0 * M_PI / double(resolution); }

double initial_spectrum_shape(double k, double k0) { return std::pow(k, 4) * std::exp(-2.0 * k * k / (k0 * k0)); }

namespace {

using fftw::AlignedArray;
using fftw::as_fftw;
using fftw::Plan;

// The six independent entries of a symmetric tensor: (0,0) (1,1) (2,2) (0,1) (0,2) (1,2).
constexpr int pair_i[6] = {0, 1, 2, 0, 0, 1};
constexpr int pair_j[6] = {0, 1, 2, 1, 2, 2};

}  // namespace

struct Les3dSolver::Impl {
  Les3dOptions options;
  std::int64_t n = 0;
  std::size_t real_size = 0, complex_size = 0;  // n^3, n*n*(n/2+1)
  // Wavenumbers per complex entry, the 2/3 mask and the r2c double-count weight.
  std::vector<double> kx, ky, kz, k2, weight;
  std::vector<std::uint8_t> kept;
  std::vector<AlignedArray<Complex>> state;  // u^ (3 components)
  // Scratch: spectral and physical work arrays, reused by every evaluation.
  std::vector<AlignedArray<Complex>> spectral, stage, k1, k2v, k3, k4;
  std::vector<double> half;  // exp(-nu k^2 dt / 2) for the last dt
  double half_dt = -1.0;
  std::vector<AlignedArray<double>> physical;
  AlignedArray<Complex> transform_scratch;
  Plan forward, inverse;
  double time = 0.0;
  std::int64_t steps = 0;

  explicit Impl(const Les3dOptions& o) : options(o), n(o.resolution) {
    const std::size_t nz = static_cast<std::size_t>(n / 2 + 1);
    real_size = static_cast<std::size_t>(n * n * n);
    complex_size = static_cast<std::size_t>(n * n) * nz;
    kx.resize(complex_size);
    ky.resize(complex_size);
    kz.resize(complex_size);
    k2.resize(complex_size);
    weight.resize(complex_size);
    kept.resize(complex_size);
    const std::int64_t cutoff = options.dealias_cutoff();
    auto wavenumber = [&](std::int64_t i) { return double(i <= n / 2 ? i : i - n); };
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t l = 0; l <= n / 2; ++l) {
          const std::size_t idx = static_cast<std::size_t>((i * n + j) * (n / 2 + 1) + l);
          kx[idx] = wavenumber(i);
          ky[idx] = wavenumber(j);
          kz[idx] = double(l);
          k2[idx] = kx[idx] * kx[idx] + ky[idx] * ky[idx] + kz[idx] * kz[idx];
          weight[idx] = (l == 0 || l == n / 2) ? 1.0 : 2.0;
          kept[idx] = std::abs(kx[idx]) <= cutoff && std::abs(ky[idx]) <= cutoff && kz[idx] <= cutoff;
        }
    for (int c = 0; c < 3; ++c) {
      state.emplace_back(complex_size);
      stage.emplace_back(complex_size);
      k1.emplace_back(complex_size);
      k2v.emplace_back(complex_size);
      k3.emplace_back(complex_size);
      k4.emplace_back(complex_size);
    }
    for (int c = 0; c < 9; ++c) spectral.emplace_back(complex_size);
    for (int c = 0; c < 12; ++c) physical.emplace_back(real_size);
    transform_scratch = AlignedArray<Complex>(complex_size);
    const int dim = static_cast<int>(n);
    // FFTW_ESTIMATE: deterministic plans, so a sample is bitwise reproducible.
    forward = Plan(fftw_plan_dft_r2c_3d(dim, dim, dim, physical[0].data(), as_fftw(spectral[0].data()), FFTW_ESTIMATE));
    inverse = Plan(fftw_plan_dft_c2r_3d(dim, dim, dim, as_fftw(transform_scratch.data()), physical[0].data(),
                                        FFTW_ESTIMATE));
  }

  void to_physical(const Complex* in, double* out) {
    // c2r destroys its input: transform a copy, then normalise.
    std::copy(in, in + complex_size, transform_scratch.data());
    fftw_execute_dft_c2r(inverse.get(), as_fftw(transform_scratch.data()), out);
    const double scale = 1.0 / double(real_size);
    for (std::size_t p = 0; p < real_size; ++p) out[p] *= scale;
  }
  void to_spectral(double* in, Complex* out) { fftw_execute_dft_r2c(forward.get(), in, as_fftw(out)); }

  /// The strain rate S_ij = (d_j u_i + d_i u_j) / 2 of `u_hat`, pairs in
  /// the order of pair_i/pair_j, into physical[first .. first + 5].
  void strain_to_physical(const std::vector<AlignedArray<Complex>>& u_hat, int first) {
    const Complex I(0.0, 1.0);
    const double* k[3] = {kx.data(), ky.data(), kz.data()};
    for (int p = 0; p < 6; ++p) {
      const int i = pair_i[p], j = pair_j[p];
      Complex* s = spectral[0].data();
      for (std::size_t q = 0; q < complex_size; ++q) s[q] = 0.5 * I * (k[j][q] * u_hat[i][q] + k[i][q] * u_hat[j][q]);
      to_physical(s, physical[static_cast<std::size_t>(first + p)].data());
    }
  }

  /// |S|^2 = 2 S_ij S_ij at point p from the six components in physical[first ..].
  double strain_squared(std::size_t p, int first) const {
    double ss = 0.0;
    for (int q = 0; q < 6; ++q) {
      const double s_q = physical[static_cast<std::size_t>(first + q)][p];
      ss += (q < 3 ? 1.0 : 2.0) * s_q * s_q;
    }
    return 2.0 * ss;
  }

  /// Dealias `field` (3 spectral components), project it onto solenoidal
  /// fields (the Leray projection: this removes the pressure) and drop its
  /// mean; with `drop_plane_means`, also zero the modes with k_x = k_z = 0
  /// (the x-z means).
  void project_solenoidal(std::vector<AlignedArray<Complex>>& field, bool drop_plane_means = false) const {
    for (std::size_t q = 0; q < complex_size; ++q) {
      if (!kept[q] || k2[q] == 0.0 || (drop_plane_means && kx[q] == 0.0 && kz[q] == 0.0)) {
        field[0][q] = field[1][q] = field[2][q] = 0.0;
        continue;
      }
      const Complex kdot = (kx[q] * field[0][q] + ky[q] * field[1][q] + kz[q] * field[2][q]) / k2[q];
      field[0][q] -= kx[q] * kdot;
      field[1][q] -= ky[q] * kdot;
      field[2][q] -= kz[q] * kdot;
    }
  }

  /// max(|u|+|v|+|w|) over the grid (the CFL speed); u lands in physical[0..2].
  double max_speed() {
    for (int c = 0; c < 3; ++c) to_physical(state[c].data(), physical[static_cast<std::size_t>(c)].data());
    double speed = 0.0;
    for (std::size_t p = 0; p < real_size; ++p)
      speed = std::max(speed, std::abs(physical[0][p]) + std::abs(physical[1][p]) + std::abs(physical[2][p]));
    return speed;
  }

  /// The non-viscous right-hand side P[u x omega + div(2 nu_t S)], dealiased,
  /// of the state `u_hat`, into `rhs`.
  void nonlinear(const std::vector<AlignedArray<Complex>>& u_hat, std::vector<AlignedArray<Complex>>& rhs) {
    const Complex I(0.0, 1.0);
    const bool subgrid = options.smagorinsky_cs2 > 0;
    // Physical u (0-2), omega (3-5) and, with the closure, S_ij (6-11).
    for (int c = 0; c < 3; ++c) to_physical(u_hat[c].data(), physical[c].data());
    for (int c = 0; c < 3; ++c) {
      Complex* w = spectral[0].data();
      for (std::size_t q = 0; q < complex_size; ++q) {
        const Complex ux = u_hat[0][q], uy = u_hat[1][q], uz = u_hat[2][q];
        w[q] = c == 0 ? I * (ky[q] * uz - kz[q] * uy) : c == 1 ? I * (kz[q] * ux - kx[q] * uz)
                                                               : I * (kx[q] * uy - ky[q] * ux);
      }
      to_physical(w, physical[3 + c].data());
    }
    if (subgrid) strain_to_physical(u_hat, 6);
    // Pointwise: u x omega in place of omega; 2 nu_t S_ij in place of S_ij.
    const double c_delta2 = options.smagorinsky_cs2 * options.delta() * options.delta();
    for (std::size_t p = 0; p < real_size; ++p) {
      const double u = physical[0][p], v = physical[1][p], w = physical[2][p];
      const double ox = physical[3][p], oy = physical[4][p], oz = physical[5][p];
      physical[3][p] = v * oz - w * oy;
      physical[4][p] = w * ox - u * oz;
      physical[5][p] = u * oy - v * ox;
      if (subgrid) {
        const double two_nu_t = 2.0 * c_delta2 * std::sqrt(strain_squared(p, 6));
        for (int q = 0; q < 6; ++q) physical[6 + q][p] *= two_nu_t;
      }
    }
    for (int c = 0; c < 3; ++c) to_spectral(physical[3 + c].data(), rhs[c].data());
    if (subgrid) {
      for (int p = 0; p < 6; ++p) to_spectral(physical[6 + p].data(), spectral[3 + p].data());
      // d_j T_ij with T symmetric: row i uses pairs (i, j) for j = 0..2.
      const int pair_of[3][3] = {{0, 3, 4}, {3, 1, 5}, {4, 5, 2}};
      const double* k[3] = {kx.data(), ky.data(), kz.data()};
      for (int i = 0; i < 3; ++i)
        for (std::size_t q = 0; q < complex_size; ++q)
          rhs[i][q] += I * (k[0][q] * spectral[3 + pair_of[i][0]][q] + k[1][q] * spectral[3 + pair_of[i][1]][q] +
                            k[2][q] * spectral[3 + pair_of[i][2]][q]);
    }
    project_solenoidal(rhs);
  }

  /// Integrating-factor RK4 (Lawson): the viscous decay exp(-nu k^2 t) is exact.
  void step(double dt) {
    if (dt != half_dt) {
      half.resize(complex_size);
      for (std::size_t q = 0; q < complex_size; ++q) half[q] = std::exp(-options.viscosity * k2[q] * dt / 2.0);
      half_dt = dt;
    }
    nonlinear(state, k1);
    for (int c = 0; c < 3; ++c)
      for (std::size_t q = 0; q < complex_size; ++q) stage[c][q] = half[q] * (state[c][q] + 0.5 * dt * k1[c][q]);
    nonlinear(stage, k2v);
    for (int c = 0; c < 3; ++c)
      for (std::size_t q = 0; q < complex_size; ++q) stage[c][q] = half[q] * state[c][q] + 0.5 * dt * k2v[c][q];
    nonlinear(stage, k3);
    for (int c = 0; c < 3; ++c)
      for (std::size_t q = 0; q < complex_size; ++q)
        stage[c][q] = half[q] * (half[q] * state[c][q] + dt * k3[c][q]);
    nonlinear(stage, k4);
    for (int c = 0; c < 3; ++c)
      for (std::size_t q = 0; q < complex_size; ++q) {
        const double e = half[q], e2 = e * e;
        state[c][q] = e2 * state[c][q] + dt / 6.0 * (e2 * k1[c][q] + 2.0 * e * (k2v[c][q] + k3[c][q]) + k4[c][q]);
      }
    time += dt;
    ++steps;
  }

  FlowStatistics statistics() {
    FlowStatistics stats;
    const double norm = 1.0 / (double(real_size) * double(real_size));
    for (std::size_t q = 0; q < complex_size; ++q) {
      const double e = weight[q] * (std::norm(state[0][q]) + std::norm(state[1][q]) + std::norm(state[2][q])) * norm;
      stats.energy += 0.5 * e;
      stats.dissipation += options.viscosity * k2[q] * e;  // nu <|grad u|^2> = 2 nu <S:S> (div u = 0)
    }
    const Complex I(0.0, 1.0);
    Complex* d = spectral[0].data();
    for (std::size_t q = 0; q < complex_size; ++q)
      d[q] = I * (kx[q] * state[0][q] + ky[q] * state[1][q] + kz[q] * state[2][q]);
    to_physical(d, physical[11].data());
    for (std::size_t p = 0; p < real_size; ++p)
      stats.max_divergence = std::max(stats.max_divergence, std::abs(physical[11][p]));
    stats.max_speed = max_speed();
    if (options.smagorinsky_cs2 > 0) {
      strain_to_physical(state, 3);
      const double c_delta2 = options.smagorinsky_cs2 * options.delta() * options.delta();
      double subgrid = 0.0;
      for (std::size_t p = 0; p < real_size; ++p) {
        subgrid += c_delta2 * std::pow(strain_squared(p, 3), 1.5);
      }
      stats.dissipation += subgrid / double(real_size);
    }
    return stats;
  }
};

Les3dSolver::Les3dSolver(const Les3dOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Les3dSolver::~Les3dSolver() = default;
Les3dSolver::Les3dSolver(Les3dSolver&&) noexcept = default;
Les3dSolver& Les3dSolver::operator=(Les3dSolver&&) noexcept = default;

void Les3dSolver::set_velocity(const std::vector<double>& velocity) {
  Impl& m = *impl_;
  OPFORGE_CHECK(velocity.size() == 3 * m.real_size, UsageError, "les3d: a velocity field has 3 x ", m.n, "^3 = ",
                3 * m.real_size, " values, got ", velocity.size());
  for (int c = 0; c < 3; ++c) {
    std::copy(velocity.begin() + static_cast<long>(c * m.real_size),
              velocity.begin() + static_cast<long>((c + 1) * m.real_size), m.physical[0].data());
    m.to_spectral(m.physical[0].data(), m.state[c].data());
  }
  m.time = 0.0;
  m.steps = 0;
}

std::vector<double> Les3dSolver::velocity() const {
  Impl& m = *impl_;
  std::vector<double> out(3 * m.real_size);
  for (int c = 0; c < 3; ++c) m.to_physical(m.state[c].data(), out.data() + c * m.real_size);
  return out;
}

void Les3dSolver::advance(double duration) {
  if (duration <= 0) return;
  const double dx = 2.0 * M_PI / double(impl_->n);
  // Only the CFL speed: the full statistics() would also transform S and div u.
  const double speed = std::max(impl_->max_speed(), 1e-12);
  const double limit = impl_->options.cfl * dx / speed;
  const auto count = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(duration / limit - 1e-9)));
  const double dt = duration / double(count);
  for (std::int64_t s = 0; s < count; ++s) impl_->step(dt);
}

void Les3dSolver::step(double dt) { impl_->step(dt); }
double Les3dSolver::time() const { return impl_->time; }
std::int64_t Les3dSolver::steps() const { return impl_->steps; }
FlowStatistics Les3dSolver::statistics() const { return impl_->statistics(); }
const Les3dOptions& Les3dSolver::options() const { return impl_->options; }

std::vector<double> Les3dSolver::energy_spectrum() const {
  const Impl& m = *impl_;
  std::vector<double> spectrum(static_cast<std::size_t>(m.n + 1), 0.0);
  const double norm = 1.0 / (double(m.real_size) * double(m.real_size));
  for (std::size_t q = 0; q < m.complex_size; ++q) {
    const auto shell = static_cast<std::size_t>(std::lround(std::sqrt(m.k2[q])));
    if (shell < spectrum.size())
      spectrum[shell] += 0.5 * m.weight[q] *
                         (std::norm(m.state[0][q]) + std::norm(m.state[1][q]) + std::norm(m.state[2][q])) * norm;
  }
  return spectrum;
}

std::vector<double> random_isotropic_field(const Les3dOptions& options, std::uint64_t seed) {
  // White noise -> solenoidal projection -> band limit -> each shell scaled to
  // the target spectrum -> total energy 3/2 u'^2.
  Les3dOptions quiet = options;
  quiet.smagorinsky_cs2 = 0.0;
  Les3dSolver solver(quiet);
  const std::size_t size = static_cast<std::size_t>(options.resolution * options.resolution * options.resolution);
  std::vector<double> noise(3 * size);
  Random random(seed);
  for (double& value : noise) value = random.normal();
  solver.set_velocity(noise);
  Les3dSolver::Impl& m = *solver.impl_;
  m.project_solenoidal(m.state);
  const std::vector<double> realised = solver.energy_spectrum();
  std::vector<double> scale(realised.size(), 0.0);
  double target_total = 0.0;
  for (std::size_t shell = 1; shell < realised.size(); ++shell)
    if (realised[shell] > 0) target_total += initial_spectrum_shape(double(shell), options.peak_wavenumber);
  const double energy = 1.5 * options.velocity_rms * options.velocity_rms;
  for (std::size_t shell = 1; shell < realised.size(); ++shell)
    if (realised[shell] > 0)
      scale[shell] = std::sqrt(energy * initial_spectrum_shape(double(shell), options.peak_wavenumber) / target_total /
                               realised[shell]);
  for (std::size_t q = 0; q < m.complex_size; ++q) {
    const double factor = scale[static_cast<std::size_t>(std::lround(std::sqrt(m.k2[q])))];
    for (int c = 0; c < 3; ++c) m.state[c][q] *= factor;
  }
  return solver.velocity();
}

std::vector<double> taylor_green_field(std::int64_t n, bool planar) {
  const std::size_t size = static_cast<std::size_t>(n * n * n);
  std::vector<double> u(3 * size, 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t l = 0; l < n; ++l) {
        const double x = 2 * M_PI * double(i) / double(n), y = 2 * M_PI * double(j) / double(n),
                     z = 2 * M_PI * double(l) / double(n);
        const std::size_t p = static_cast<std::size_t>((i * n + j) * n + l);
        const double cz = planar ? 1.0 : std::cos(z);
        u[p] = std::sin(x) * std::cos(y) * cz;
        u[size + p] = -std::cos(x) * std::sin(y) * cz;
      }
  return u;
}

std::vector<double> mixing_layer_field(const Les3dOptions& options, std::uint64_t seed) {
  const MixingLayerOptions& layer = options.mixing_layer;
  const std::int64_t n = options.resolution;
  const auto size = static_cast<std::size_t>(n * n * n);
  auto y_of = [&](std::int64_t j) { return 2.0 * M_PI * double(j) / double(n); };
  // Random solenoidal field of the options' spectrum, windowed around both layers.
  Les3dOptions unit = options;
  unit.velocity_rms = 1.0;
  std::vector<double> velocity = random_isotropic_field(unit, seed);
  const double width = 2.0 * layer.thickness;
  for (std::int64_t j = 0; j < n; ++j) {
    const double y = y_of(j);
    const double window = std::exp(-std::pow((y - 0.5 * M_PI) / width, 2)) + std::exp(-std::pow((y - 1.5 * M_PI) / width, 2));
    for (int c = 0; c < 3; ++c)
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t l = 0; l < n; ++l) velocity[c * size + static_cast<std::size_t>((i * n + j) * n + l)] *= window;
  }
  // Back to solenoidal and band-limited (the window mixed the modes), the x-z
  // mean removed (it belongs to the base profile), scaled to the target r.m.s.
  Les3dOptions quiet = options;
  quiet.smagorinsky_cs2 = 0.0;
  Les3dSolver solver(quiet);
  solver.set_velocity(velocity);
  Les3dSolver::Impl& m = *solver.impl_;
  m.project_solenoidal(m.state, true);
  const double energy = solver.statistics().energy;
  const double target = 1.5 * std::pow(layer.perturbation_rms * layer.velocity_difference, 2);
  const double factor = energy > 0 ? std::sqrt(target / energy) : 0.0;
  velocity = solver.velocity();
  for (double& v : velocity) v *= factor;
  // The base profile, then band-limited like every field the solver holds.
  for (std::int64_t j = 0; j < n; ++j) {
    const double y = y_of(j), d = layer.thickness;
    const double base = 0.5 * layer.velocity_difference *
                        (std::tanh((y - 0.5 * M_PI) / d) - std::tanh((y - 1.5 * M_PI) / d) - 1.0);
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t l = 0; l < n; ++l) velocity[static_cast<std::size_t>((i * n + j) * n + l)] += base;
  }
  solver.set_velocity(velocity);
  for (std::size_t q = 0; q < m.complex_size; ++q)
    if (!m.kept[q]) m.state[0][q] = m.state[1][q] = m.state[2][q] = 0.0;
  return solver.velocity();
}

std::vector<double> initial_field(const Les3dOptions& options, std::uint64_t seed) {
  return options.flow == Les3dFlow::mixing_layer ? mixing_layer_field(options, seed)
                                                 : random_isotropic_field(options, seed);
}

std::vector<double> mean_streamwise_profile(const std::vector<double>& velocity, std::int64_t n) {
  OPFORGE_CHECK(velocity.size() == static_cast<std::size_t>(3 * n * n * n), UsageError,
                "les3d: a velocity field has 3 x ", n, "^3 values, got ", velocity.size());
  std::vector<double> profile(static_cast<std::size_t>(n), 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t l = 0; l < n; ++l) profile[static_cast<std::size_t>(j)] += velocity[static_cast<std::size_t>((i * n + j) * n + l)];
  for (double& value : profile) value /= double(n * n);
  return profile;
}

double momentum_thickness(const std::vector<double>& profile, double velocity_difference) {
  double sum = 0.0;
  for (const double u : profile) sum += 0.25 - std::pow(u / velocity_difference, 2);
  return sum * 2.0 * M_PI / double(profile.size());
}

double fluctuation_energy(const std::vector<double>& velocity, std::int64_t n) {
  const std::vector<double> profile = mean_streamwise_profile(velocity, n);
  const auto size = static_cast<std::size_t>(n * n * n);
  double sum = 0.0;
  for (std::size_t p = 0; p < size; ++p) {
    const auto j = static_cast<std::size_t>((static_cast<std::int64_t>(p) / n) % n);
    sum += std::pow(velocity[p] - profile[j], 2) + std::pow(velocity[size + p], 2) + std::pow(velocity[2 * size + p], 2);
  }
  return 0.5 * sum / double(size);
}

}  // namespace opforge::pde
