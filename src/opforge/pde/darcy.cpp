// darcy: -div(a grad u) = f on (0,1)^2, u = 0 on the boundary, a = psi(g) with
// g ~ N(0, (-Delta + tau^2)^(-alpha)); psi = threshold (FNO benchmark: 12 where
// g >= 0, 3 elsewhere) or exp. A new SPD matrix for every sample.

#include <cmath>
#include <ostream>

#include "opforge/pde/grf_options.hpp"
#include "opforge/pde/pde_family.hpp"

namespace opforge::pde {
namespace {

class Darcy final : public PdeFamily {
public:
  explicit Darcy(const config::Section& s)
      : resolution_(s.get<std::int64_t>("resolution", 64, config::at_least(3))),
        psi_(s.choice("coefficient", {"threshold", "exp"}, std::string("threshold"))),
        high_(s.get<double>("high", 12.0, config::positive())),
        low_(s.get<double>("low", 3.0, config::positive())),
        source_(s.get<double>("source", 1.0)),
        grf_(resolution_, parse_grf_options(s.section_or_empty("grf"))) {}

  std::string name() const override { return "darcy"; }
  std::int64_t resolution() const override { return resolution_; }
  std::vector<std::string> input_channels() const override { return {"coefficient"}; }
  bool fixed_matrix() const override { return false; }
  bool positive_definite() const override { return true; }

  PdeSample sample(std::uint64_t seed, std::int64_t index) const override {
    Random random(sample_seed(seed, index));
    const Field2D g = grf_.sample(random);
    EllipticProblem problem;
    problem.s = resolution_;
    problem.coefficient = Field2D(resolution_);
    for (std::size_t k = 0; k < g.values.size(); ++k)
      problem.coefficient.values[k] = psi_ == "exp" ? std::exp(g.values[k]) : (g.values[k] >= 0 ? high_ : low_);
    problem.source = Field2D(resolution_, source_);
    PdeSample out;
    out.op = discretize(problem);
    out.inputs = {std::move(problem.coefficient)};
    return out;
  }

  void describe(std::ostream& out) const override {
    out << "darcy s=" << resolution_ << " coefficient=" << psi_;
    if (psi_ == "threshold") out << "(" << high_ << "/" << low_ << ")";
    out << " f=" << source_;
  }

private:
  std::int64_t resolution_;
  std::string psi_;
  double high_, low_, source_;
  GaussianRandomField grf_;
};

}  // namespace

std::unique_ptr<PdeFamily> make_darcy(const config::Section& section) { return std::make_unique<Darcy>(section); }

}  // namespace opforge::pde
