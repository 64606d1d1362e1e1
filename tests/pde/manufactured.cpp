#include "manufactured.hpp"

#include <cmath>

#include "opforge/core/environment.hpp"
#include "opforge/pde/heat_geometry.hpp"
#include "opforge/pde/q1_operator.hpp"
#include "opforge/solve/grid_system.hpp"
#include "support/direct_solve.hpp"

namespace opforge::test_support {

double exact_solution(double x, double y) { return std::sin(M_PI * x) * std::sin(M_PI * y) + x * x + y; }

namespace {
double coefficient(const ManufacturedCase& c, double x, double y) {
  return c.variable_coefficient ? 2.0 + std::sin(M_PI * x) * std::cos(M_PI * y) : 1.0;
}

double source(const ManufacturedCase& c, double x, double y) {
  const double sx = std::sin(M_PI * x), cx = std::cos(M_PI * x), sy = std::sin(M_PI * y), cy = std::cos(M_PI * y);
  const double ux = M_PI * cx * sy + 2 * x, uy = M_PI * sx * cy + 1;
  const double laplacian = -2 * M_PI * M_PI * sx * sy + 2;
  double ax = 0, ay = 0;
  if (c.variable_coefficient) {
    ax = M_PI * cx * cy;
    ay = -M_PI * sx * sy;
  }
  return -(coefficient(c, x, y) * laplacian + ax * ux + ay * uy) - c.wavenumber_squared * exact_solution(x, y);
}
}  // namespace

pde::EllipticProblem manufactured_problem(const ManufacturedCase& c, std::int64_t s) {
  pde::EllipticProblem p;
  p.s = s;
  p.coefficient = pde::Field2D(s);
  p.source = pde::Field2D(s);
  p.boundary = pde::Field2D(s);
  p.wavenumber_squared = pde::Field2D(s, c.wavenumber_squared);
  for (std::int64_t i = 0; i < s; ++i)
    for (std::int64_t j = 0; j < s; ++j) {
      const double x = p.source.x(i), y = p.source.x(j);
      p.coefficient(i, j) = coefficient(c, x, y);
      p.source(i, j) = source(c, x, y);
      p.boundary(i, j) = exact_solution(x, y);
    }
  if (!c.heat_geometry.empty()) p.dirichlet = pde::heat_dirichlet_mask(s, c.heat_geometry);
  return p;
}

namespace {
/// Max-norm error against u* of `op`'s solution (direct solve on PETSC_COMM_WORLD).
double max_error_of(const pde::EllipticOperator& op) {
  const auto& world = Environment::current().world();
  solve::GridSystem system(world, op.s, 0, op.nine_point());
  system.assemble_matrix(op);
  system.assemble_rhs(op);
  solve_directly(system);
  const pde::Field2D u = system.gather_solution(op);
  double error = 0;
  if (world.rank() == 0)
    for (std::int64_t i = 0; i < op.s; ++i)
      for (std::int64_t j = 0; j < op.s; ++j)
        error = std::max(error, std::abs(u(i, j) - exact_solution(u.x(i), u.x(j))));
  world.broadcast(&error, 1, 0);
  return error;
}
}  // namespace

double max_error(const ManufacturedCase& c, std::int64_t s) {
  return max_error_of(pde::discretize(manufactured_problem(c, s)));
}

double max_error_natural_boundary(std::int64_t s) {
  using pde::NaturalBoundaryProblem;
  NaturalBoundaryProblem p;
  p.s = s;
  p.wavenumber_squared = pde::Field2D(s);
  p.source = pde::Field2D(s);
  const pde::Field2D grid(s);
  for (std::int64_t i = 0; i < s; ++i)
    for (std::int64_t j = 0; j < s; ++j) {
      const double x = grid.x(i), y = grid.x(j);
      const double k2 = 25.0 + 5.0 * x * y;
      p.wavenumber_squared(i, j) = k2;
      const double laplacian = -2 * M_PI * M_PI * std::sin(M_PI * x) * std::sin(M_PI * y) + 2;
      p.source(i, j) = -laplacian - k2 * exact_solution(x, y);
    }
  for (auto& side : p.flux) side.resize(static_cast<std::size_t>(s));
  for (std::int64_t t = 0; t < s; ++t) {
    const double v = grid.x(t);
    const auto k = static_cast<std::size_t>(t);
    // Outward normal derivatives of u* = sin(pi x) sin(pi y) + x^2 + y.
    p.flux[NaturalBoundaryProblem::bottom][k] = -(M_PI * std::sin(M_PI * v) + 1);
    p.flux[NaturalBoundaryProblem::top][k] = -M_PI * std::sin(M_PI * v) + 1;
    p.flux[NaturalBoundaryProblem::left][k] = -M_PI * std::sin(M_PI * v);
    p.flux[NaturalBoundaryProblem::right][k] = -M_PI * std::sin(M_PI * v) + 2;
  }
  return max_error_of(pde::discretize_q1(p));
}

}  // namespace opforge::test_support
