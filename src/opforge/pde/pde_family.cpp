#include "opforge/pde/pde_family.hpp"

namespace opforge::pde {

// Each family lives in its own file and exposes only its factory.
std::unique_ptr<PdeFamily> make_darcy(const config::Section& section);
std::unique_ptr<PdeFamily> make_poisson(const config::Section& section);
std::unique_ptr<PdeFamily> make_helmholtz(const config::Section& section);
std::unique_ptr<PdeFamily> make_heat(const config::Section& section);
std::unique_ptr<PdeFamily> make_helmholtz_dehoop(const config::Section& section);

const PdeRegistry& pde_families() {
  static const PdeRegistry registry = [] {
    PdeRegistry r("PDE family");
    r.add("darcy", make_darcy, "-div(a grad u) = f, a = psi(GRF): new matrix every sample, SPD");
    r.add("poisson", make_poisson, "-lap u = f, random source and boundary data: fixed matrix, SPD");
    r.add("helmholtz", make_helmholtz, "-lap u - k(x)^2 u = f, k from a GRF: indefinite");
    r.add("helmholtz_dehoop", make_helmholtz_dehoop,
          "-lap u - (omega/c)^2 u = 0, Neumann, c = 20 + tanh(GRF): the de Hoop et al. benchmark, Q1 elements");
    r.add("heat", make_heat, "steady heat on a plate with a slot or L-shape, random temperatures: fixed matrix");
    return r;
  }();
  return registry;
}

std::unique_ptr<PdeFamily> make_pde_family(const config::Section& section) {
  return pde_families().create(section.choice("type", pde_families().names()), section);
}

}  // namespace opforge::pde
