// helmholtz: -lap u - k(x)^2 u = f on (0,1)^2, u = 0 on the boundary. k is a
// GRF mapped affinely onto [k_min, k_max] (defaults 21..39, i.e. k0 = 30 with
// +-30%), large enough that the operator is indefinite; f is a Gaussian bump
// at a random position (or a GRF).

#include <algorithm>
#include <cmath>
#include <ostream>

#include "opforge/core/error.hpp"
#include "opforge/pde/grf_options.hpp"
#include "opforge/pde/pde_family.hpp"

namespace opforge::pde {
namespace {

class Helmholtz final : public PdeFamily {
public:
  explicit Helmholtz(const config::Section& s)
      : resolution_(s.get<std::int64_t>("resolution", 64, config::at_least(3))),
        k_min_(s.get<double>("k_min", 21.0, config::non_negative())),
        k_max_(s.get<double>("k_max", 39.0, config::non_negative())),
        source_type_(s.choice("source", {"bump", "grf"}, std::string("bump"))),
        bump_width_(s.get<double>("bump_width", 0.05, config::positive())),
        wavenumber_(resolution_, parse_grf_options(s.section_or_empty("grf"))),
        source_grf_(resolution_, {2.0, 3.0, 100.0, false}) {
    if (k_max_ < k_min_) s.fail("k_max", "must be >= k_min (" + std::to_string(k_min_) + ")");
  }

  std::string name() const override { return "helmholtz"; }
  std::int64_t resolution() const override { return resolution_; }
  std::vector<std::string> input_channels() const override { return {"wavenumber", "source"}; }
  bool fixed_matrix() const override { return false; }
  bool positive_definite() const override { return false; }
  /// Eight points per shortest wavelength 2 pi / k_max: coarser grids alias
  /// the waves and a multigrid correction from them stops converging
  /// (measured: at s = 202, k_max = 39, 13 GMRES iterations with a 49 x 49
  /// coarsest grid, 30 with 24 x 24).
  std::int64_t coarsest_grid_nodes() const override {
    constexpr double points_per_wavelength = 8.0;
    return static_cast<std::int64_t>(std::ceil(points_per_wavelength * k_max_ / (2.0 * M_PI))) - 1;
  }

  PdeSample sample(std::uint64_t seed, std::int64_t index) const override {
    Random k_random(sample_seed(seed, index, 0)), f_random(sample_seed(seed, index, 1));
    Field2D k = wavenumber_.sample(k_random);
    const auto [lo, hi] = std::minmax_element(k.values.begin(), k.values.end());
    const double g_min = *lo, span = std::max(*hi - *lo, 1e-300);
    for (double& v : k.values) v = k_min_ + (k_max_ - k_min_) * (v - g_min) / span;

    EllipticProblem problem;
    problem.s = resolution_;
    problem.wavenumber_squared = Field2D(resolution_);
    for (std::size_t q = 0; q < k.values.size(); ++q) problem.wavenumber_squared.values[q] = k.values[q] * k.values[q];
    if (source_type_ == "grf") {
      problem.source = source_grf_.sample(f_random);
    } else {
      const double cx = f_random.uniform(0.2, 0.8), cy = f_random.uniform(0.2, 0.8);
      problem.source = Field2D(resolution_);
      const double w2 = bump_width_ * bump_width_;
      for (std::int64_t i = 0; i < resolution_; ++i)
        for (std::int64_t j = 0; j < resolution_; ++j) {
          const double dx = problem.source.x(i) - cx, dy = problem.source.x(j) - cy;
          problem.source(i, j) = std::exp(-(dx * dx + dy * dy) / (2 * w2)) / (2 * M_PI * w2);
        }
    }
    PdeSample out;
    out.op = discretize(problem);
    out.inputs = {std::move(k), std::move(problem.source)};
    return out;
  }

  void describe(std::ostream& out) const override {
    out << "helmholtz s=" << resolution_ << " k in [" << k_min_ << ", " << k_max_ << "] source=" << source_type_;
  }

private:
  std::int64_t resolution_;
  double k_min_, k_max_;
  std::string source_type_;
  double bump_width_;
  GaussianRandomField wavenumber_, source_grf_;
};

}  // namespace

std::unique_ptr<PdeFamily> make_helmholtz(const config::Section& section) {
  return std::make_unique<Helmholtz>(section);
}

}  // namespace opforge::pde
