#pragma once
// Manufactured solutions for the elliptic families: smooth u*, a, k^2 with
// f = -div(a grad u*) - k^2 u*, and a direct PETSc solve of the discrete
// problem through opforge's own assembly (GridSystem).

#include <cstdint>
#include <string>
#include <vector>

#include "opforge/pde/elliptic_operator.hpp"

namespace opforge::test_support {

struct ManufacturedCase {
  std::string name;
  bool variable_coefficient = false;
  double wavenumber_squared = 0.0;
  /// Extra Dirichlet nodes (heat geometries); empty = outer boundary only.
  std::string heat_geometry;
};

/// The discrete problem of `c` on an s x s grid, with u* as Dirichlet data.
pde::EllipticProblem manufactured_problem(const ManufacturedCase& c, std::int64_t s);
double exact_solution(double x, double y);
/// Max-norm error of the discrete solution (direct solve on PETSC_COMM_WORLD).
double max_error(const ManufacturedCase& c, std::int64_t s);
/// The same for u* under natural boundary conditions, du/dn = du*/dn on
/// every side, with k^2 = 25 + 5xy (between the Neumann eigenvalues 2 pi^2
/// and 4 pi^2: indefinite) by Q1 elements (pde/q1_operator.hpp).
double max_error_natural_boundary(std::int64_t s);

}  // namespace opforge::test_support
