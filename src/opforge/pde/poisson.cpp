// poisson: -lap u = f on (0,1)^2, u = g on the boundary; f a GRF, g the
// boundary trace of a smoother GRF (continuous at the corners). The matrix is
// the same for every sample: only the right-hand side changes.

#include <ostream>

#include "opforge/pde/grf_options.hpp"
#include "opforge/pde/pde_family.hpp"

namespace opforge::pde {
namespace {

class Poisson final : public PdeFamily {
public:
  explicit Poisson(const config::Section& s)
      : resolution_(s.get<std::int64_t>("resolution", 64, config::at_least(3))),
        source_(resolution_, parse_grf_options(s.section_or_empty("source"), {2.0, 3.0, 100.0, false})),
        boundary_(resolution_, parse_grf_options(s.section_or_empty("boundary"), {3.0, 2.0, 100.0, false})) {}

  std::string name() const override { return "poisson"; }
  std::int64_t resolution() const override { return resolution_; }
  std::vector<std::string> input_channels() const override { return {"source", "boundary"}; }
  bool fixed_matrix() const override { return true; }
  bool positive_definite() const override { return true; }

  PdeSample sample(std::uint64_t seed, std::int64_t index) const override {
    Random source_random(sample_seed(seed, index, 0)), boundary_random(sample_seed(seed, index, 1));
    EllipticProblem problem;
    problem.s = resolution_;
    problem.source = source_.sample(source_random);
    problem.boundary = boundary_.sample(boundary_random);
    const auto mask = outer_boundary_mask(resolution_);
    for (std::size_t k = 0; k < mask.size(); ++k)
      if (!mask[k]) problem.boundary.values[k] = 0.0;  // the input channel shows boundary data only
    PdeSample out;
    out.op = discretize(problem);
    out.inputs = {std::move(problem.source), std::move(problem.boundary)};
    return out;
  }

  void describe(std::ostream& out) const override { out << "poisson s=" << resolution_; }

private:
  std::int64_t resolution_;
  GaussianRandomField source_, boundary_;
};

}  // namespace

std::unique_ptr<PdeFamily> make_poisson(const config::Section& section) { return std::make_unique<Poisson>(section); }

}  // namespace opforge::pde
