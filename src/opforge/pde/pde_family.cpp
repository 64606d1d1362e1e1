#include "opforge/pde/pde_family.hpp"

namespace opforge::pde {

// Each family lives in its own file and exposes only its factory.
std::unique_ptr<PdeFamily> make_darcy(const config::Section& section);
std::unique_ptr<PdeFamily> make_poisson(const config::Section& section);
std::unique_ptr<PdeFamily> make_helmholtz(const config::Section& section);
std::unique_ptr<PdeFamily> make_heat(const config::Section& section);

const PdeRegistry& pde_families() {
  static const PdeRegistry registry = [] {
    PdeRegistry r("PDE family");
    r.add("darcy", make_darcy, "-div(a grad u) = f, a = psi(GRF): new matrix every sample, SPD");
    r.add("poisson", make_poisson, "-lap u = f, random source and boundary data: fixed matrix, SPD");
    r.add("helmholtz", make_helmholtz, "-lap u - k(x)^2 u = f, k from a GRF: indefinite");
    r.add("heat", make_heat, "steady heat on a plate with a slot or L-shape, random temperatures: fixed matrix");
    return r;
  }();
  return registry;
}

const std::vector<std::string>& time_dependent_families() {
  static const std::vector<std::string> names = {"les3d"};  // les3d.hpp: trajectories, no linear system
  return names;
}

std::unique_ptr<PdeFamily> make_pde_family(const config::Section& section) {
  std::vector<std::string> all = pde_families().names();
  all.insert(all.end(), time_dependent_families().begin(), time_dependent_families().end());
  const std::string type = section.choice("type", all);
  OPFORGE_CHECK(pde_families().contains(type), UsageError, "pde.type '", type,
                "' is time-dependent: it produces trajectories, not linear systems");
  return pde_families().create(type, section);
}

}  // namespace opforge::pde
