// heat: steady -div(kappa grad T) = 0 on a plate with a slot or an L-shape
// cut-out (masked on the grid). Temperatures are fixed on the left edge
// (random in [0, 100]), the right edge (random in [-100, 0]), the top and
// bottom edges (linear between them) and the cut-out (random in [0, 100]).
// With constant kappa the matrix is the same for every sample, as in the SKR
// thermal benchmark; `conductivity: grf` makes kappa = exp(GRF) instead.

#include <cmath>
#include <ostream>

#include "opforge/core/error.hpp"
#include "opforge/pde/grf_options.hpp"
#include "opforge/pde/heat_geometry.hpp"
#include "opforge/pde/pde_family.hpp"

namespace opforge::pde {

std::vector<std::string> heat_geometries() { return {"slot", "l_shape", "rectangle"}; }

std::vector<std::uint8_t> heat_cutout_mask(std::int64_t s, const std::string& geometry) {
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(s * s), 0);
  const double h = 1.0 / double(s - 1), eps = 1e-12;
  for (std::int64_t i = 1; i + 1 < s; ++i)
    for (std::int64_t j = 1; j + 1 < s; ++j) {
      const double x = i * h, y = j * h;
      bool cut = false;
      if (geometry == "slot") cut = x >= 0.4 - eps && x <= 0.6 + eps && y >= 0.25 - eps && y <= 0.75 + eps;
      else if (geometry == "l_shape") cut = x >= 0.5 - eps && y >= 0.5 - eps;
      else OPFORGE_CHECK(geometry == "rectangle", UsageError, "unknown heat geometry '", geometry, "'");
      mask[static_cast<std::size_t>(i * s + j)] = cut ? 1 : 0;
    }
  return mask;
}

std::vector<std::uint8_t> heat_dirichlet_mask(std::int64_t s, const std::string& geometry) {
  std::vector<std::uint8_t> mask = outer_boundary_mask(s);
  const std::vector<std::uint8_t> cut = heat_cutout_mask(s, geometry);
  for (std::size_t k = 0; k < mask.size(); ++k) mask[k] = mask[k] || cut[k];
  return mask;
}

namespace {

class Heat final : public PdeFamily {
public:
  explicit Heat(const config::Section& s)
      : resolution_(s.get<std::int64_t>("resolution", 64, config::at_least(5))),
        geometry_(s.choice("geometry", heat_geometries(), std::string("slot"))),
        conductivity_(s.choice("conductivity", {"constant", "grf"}, std::string("constant"))),
        kappa_(s.get<double>("kappa", 1.0, config::positive())),
        grf_(resolution_, parse_grf_options(s.section_or_empty("grf"))),
        dirichlet_(heat_dirichlet_mask(resolution_, geometry_)),
        cutout_(heat_cutout_mask(resolution_, geometry_)) {}

  std::string name() const override { return "heat"; }
  std::int64_t resolution() const override { return resolution_; }
  std::vector<std::string> input_channels() const override { return {"boundary_temperature", "domain"}; }
  bool fixed_matrix() const override { return conductivity_ == "constant"; }
  bool positive_definite() const override { return true; }

  PdeSample sample(std::uint64_t seed, std::int64_t index) const override {
    Random random(sample_seed(seed, index, 0));
    const double left = random.uniform(0.0, 100.0), right = random.uniform(-100.0, 0.0);
    const double cut = random.uniform(0.0, 100.0);
    EllipticProblem problem;
    problem.s = resolution_;
    problem.dirichlet = dirichlet_;
    problem.boundary = Field2D(resolution_);
    Field2D domain(resolution_);
    for (std::int64_t i = 0; i < resolution_; ++i)
      for (std::int64_t j = 0; j < resolution_; ++j) {
        const std::size_t k = static_cast<std::size_t>(i * resolution_ + j);
        domain.values[k] = dirichlet_[k] ? 0.0 : 1.0;
        if (!dirichlet_[k]) continue;
        const double x = problem.boundary.x(i);
        problem.boundary.values[k] = cutout_[k] ? cut : left + (right - left) * x;
      }
    if (conductivity_ == "grf") {
      Random kappa_random(sample_seed(seed, index, 1));
      problem.coefficient = grf_.sample(kappa_random);
      for (double& v : problem.coefficient.values) v = kappa_ * std::exp(v);
    } else {
      problem.coefficient = Field2D(resolution_, kappa_);
    }
    PdeSample out;
    out.op = discretize(problem);
    out.inputs = {std::move(problem.boundary), std::move(domain)};
    return out;
  }

  void describe(std::ostream& out) const override {
    out << "heat s=" << resolution_ << " geometry=" << geometry_ << " conductivity=" << conductivity_;
  }

private:
  std::int64_t resolution_;
  std::string geometry_, conductivity_;
  double kappa_;
  GaussianRandomField grf_;
  std::vector<std::uint8_t> dirichlet_, cutout_;
};

}  // namespace

std::unique_ptr<PdeFamily> make_heat(const config::Section& section) { return std::make_unique<Heat>(section); }

}  // namespace opforge::pde
