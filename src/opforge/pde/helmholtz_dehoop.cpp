// helmholtz_dehoop: the Helmholtz benchmark of de Hoop, Huang, Qian and
// Stuart (2022), which MgNO also reports on:
//   -lap u - (omega / c(x))^2 u = 0 on [0, 1]^2,  omega = 1000,
//   du/dn = 0 on the bottom, left and right sides; on the top du/dn = 1
//   where |x - 0.5| <= 0.15 (set at the nodes, linear in between), else 0;
//   c = 20 + tanh(a), a = sum over the 100 lowest Neumann-cosine modes l
//   (by l1^2 + l2^2, then l1; the constant mode excluded) of
//   theta_l sqrt(lambda_l) phi_l,  lambda_l = (pi^2 |l|^2 + tau^2)^(-alpha),
//   tau^2 = 9, alpha = 2, theta_l ~ N(0, 1).
// Q1 elements on the 101 x 101 nodes, as the reference (q1_operator.hpp).
// Input channel c, output u. omega / c is about 50: about 12.6 nodes per
// wavelength, an indefinite system with a new matrix every sample.

#include <algorithm>
#include <cmath>
#include <ostream>

#include "opforge/pde/pde_family.hpp"
#include "opforge/pde/q1_operator.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::pde {
namespace {

class HelmholtzDeHoop final : public PdeFamily {
public:
  explicit HelmholtzDeHoop(const config::Section& s)
      : resolution_(s.get<std::int64_t>("resolution", 101, config::at_least(3))),
        omega_(s.get<double>("omega", 1000.0, config::positive())),
        mean_speed_(s.get<double>("mean_speed", 20.0, config::positive())),
        modes_(s.get<std::int64_t>("modes", 100, config::at_least(1))),
        alpha_(s.get<double>("alpha", 2.0, config::positive())),
        tau_(s.get<double>("tau", 3.0, config::non_negative())),
        source_half_width_(s.get<double>("source_half_width", 0.15, config::non_negative())) {
    if (mean_speed_ <= 1.0) s.fail("mean_speed", "must exceed 1 so that c = mean_speed + tanh(a) stays positive");
    build_modes();
  }

  std::string name() const override { return "helmholtz_dehoop"; }
  std::int64_t resolution() const override { return resolution_; }
  std::vector<std::string> input_channels() const override { return {"wave_speed"}; }
  bool fixed_matrix() const override { return false; }
  bool positive_definite() const override { return false; }
  /// Its grid has no multigrid hierarchy (GridSystem refuses pc_type mg on
  /// all-node grids), so there is no coarsest_grid_nodes() to state.
  bool natural_boundary() const override { return true; }

  PdeSample sample(std::uint64_t seed, std::int64_t index) const override {
    Random random(sample_seed(seed, index, 0));
    Field2D speed = wave_speed(random);
    NaturalBoundaryProblem problem;
    problem.s = resolution_;
    problem.wavenumber_squared = Field2D(resolution_);
    for (std::size_t q = 0; q < speed.values.size(); ++q)
      problem.wavenumber_squared.values[q] = omega_ * omega_ / (speed.values[q] * speed.values[q]);
    auto& top = problem.flux[NaturalBoundaryProblem::top];
    top.assign(static_cast<std::size_t>(resolution_), 0.0);
    for (std::int64_t i = 0; i < resolution_; ++i)
      if (std::abs(speed.x(i) - 0.5) <= source_half_width_ + 1e-12) top[static_cast<std::size_t>(i)] = 1.0;
    PdeSample out;
    out.op = discretize_q1(problem);
    out.inputs = {std::move(speed)};
    return out;
  }

  void describe(std::ostream& out) const override {
    out << "helmholtz_dehoop s=" << resolution_ << " omega=" << omega_ << " c=" << mean_speed_ << "+tanh(GRF "
        << modes_ << " modes, alpha=" << alpha_ << " tau=" << tau_ << ") Q1";
  }

private:
  struct Mode {
    std::int64_t l1, l2;
    double amplitude;  ///< sqrt(lambda_l) times the normalisation of phi_l
  };

  /// The `modes_` lowest Neumann-cosine modes, (0, 0) excluded.
  void build_modes() {
    std::vector<std::pair<std::int64_t, std::int64_t>> candidates;
    const auto side = static_cast<std::int64_t>(std::ceil(std::sqrt(double(modes_)))) + 2;
    for (std::int64_t l1 = 0; l1 <= side; ++l1)
      for (std::int64_t l2 = 0; l2 <= side; ++l2)
        if (l1 + l2 > 0) candidates.emplace_back(l1, l2);
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
      const auto na = a.first * a.first + a.second * a.second, nb = b.first * b.first + b.second * b.second;
      return na != nb ? na < nb : a < b;
    });
    candidates.resize(static_cast<std::size_t>(modes_));
    for (const auto& [l1, l2] : candidates) {
      const double lambda = std::pow(M_PI * M_PI * double(l1 * l1 + l2 * l2) + tau_ * tau_, -alpha_);
      const double norm = (l1 > 0 ? std::sqrt(2.0) : 1.0) * (l2 > 0 ? std::sqrt(2.0) : 1.0);
      modes_list_.push_back({l1, l2, std::sqrt(lambda) * norm});
    }
  }

  /// c = mean_speed + tanh(a) on the nodes: a is separable per mode, so the
  /// cosines of each axis are tabulated once per mode number.
  Field2D wave_speed(Random& random) const {
    const std::int64_t s = resolution_;
    Field2D a(s);
    std::vector<double> cos_x(static_cast<std::size_t>(s)), cos_y(static_cast<std::size_t>(s));
    for (const Mode& mode : modes_list_) {
      const double theta = random.normal() * mode.amplitude;
      for (std::int64_t i = 0; i < s; ++i) {
        cos_x[static_cast<std::size_t>(i)] = std::cos(M_PI * double(mode.l1) * a.x(i));
        cos_y[static_cast<std::size_t>(i)] = std::cos(M_PI * double(mode.l2) * a.x(i));
      }
      for (std::int64_t i = 0; i < s; ++i)
        for (std::int64_t j = 0; j < s; ++j)
          a(i, j) += theta * cos_x[static_cast<std::size_t>(i)] * cos_y[static_cast<std::size_t>(j)];
    }
    for (double& v : a.values) v = mean_speed_ + std::tanh(v);
    return a;
  }

  std::int64_t resolution_;
  double omega_, mean_speed_;
  std::int64_t modes_;
  double alpha_, tau_, source_half_width_;
  std::vector<Mode> modes_list_;
};

}  // namespace

std::unique_ptr<PdeFamily> make_helmholtz_dehoop(const config::Section& section) {
  return std::make_unique<HelmholtzDeHoop>(section);
}

}  // namespace opforge::pde
