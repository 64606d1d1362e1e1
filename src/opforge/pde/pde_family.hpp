#pragma once
/// @file
/// The interface of a linear-system PDE family: sample problem i
/// reproducibly, as input fields (stored in /input) and the discrete operator
/// to solve. Families are registered by name in pde_family.cpp; `pde.type:`
/// selects one, or a time-dependent family (generate::dataset_generators()).

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "opforge/config/config.hpp"
#include "opforge/core/registry.hpp"
#include "opforge/pde/elliptic_operator.hpp"
#include "opforge/pde/field.hpp"

namespace opforge::pde {

/// One sampled problem.
struct PdeSample {
  /// Input channels, in the order of PdeFamily::input_channels().
  std::vector<Field2D> inputs;
  EllipticOperator op;
};

class PdeFamily {
public:
  virtual ~PdeFamily() = default;
  virtual std::string name() const = 0;
  /// Grid points per side, boundary included.
  virtual std::int64_t resolution() const = 0;
  virtual std::vector<std::string> input_channels() const = 0;
  /// True when every sample has the same matrix (only the right-hand side varies).
  virtual bool fixed_matrix() const = 0;
  /// True when the discrete operator is symmetric positive definite.
  virtual bool positive_definite() const = 0;
  /// Fewest interior nodes per axis a multigrid coarse grid may have and
  /// still represent the operator (0: no limit). Wave problems need a few
  /// grid points per wavelength on every level.
  virtual std::int64_t coarsest_grid_nodes() const { return 0; }
  /// True when every node of the grid is unknown: natural boundary
  /// conditions and nine-point operators (q1_operator.hpp). False when the
  /// outer ring of nodes is a Dirichlet boundary, eliminated.
  virtual bool natural_boundary() const { return false; }
  /// Problem `index` under `seed`: depends on nothing else.
  virtual PdeSample sample(std::uint64_t seed, std::int64_t index) const = 0;
  /// One line for logs and provenance.
  virtual void describe(std::ostream& out) const = 0;
};

using PdeRegistry = Registry<PdeFamily, const config::Section&>;

/// Every family, registered in one explicit list.
const PdeRegistry& pde_families();

/// Create the family selected by `section` (its `type:` key) and configured
/// by the section's other keys.
std::unique_ptr<PdeFamily> make_pde_family(const config::Section& section);

}  // namespace opforge::pde
