#pragma once
// Library objects configured from a line of YAML, as tests write them; the
// document is finished, so an unknown key fails the test.

#include <memory>
#include <string>

#include "opforge/config/config.hpp"
#include "opforge/pde/pde_family.hpp"
#include "opforge/solve/sequence_solver.hpp"

namespace opforge::test_support {

/// The family of the `pde:` section of `yaml`.
inline std::unique_ptr<pde::PdeFamily> pde_family(const std::string& yaml) {
  const auto doc = config::Document::parse(yaml, "pde.yaml");
  auto family = pde::make_pde_family(doc.root().section("pde"));
  doc.finish();
  return family;
}

/// The options of the `solver:` section of `yaml` (defaults without one).
inline solve::SolverOptions solver_options(const std::string& yaml) {
  const auto doc = config::Document::parse(yaml, "solver.yaml");
  auto options = solve::SolverOptions::parse(doc.root().section_or_empty("solver"));
  doc.finish();
  return options;
}

}  // namespace opforge::test_support
