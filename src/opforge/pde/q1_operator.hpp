#pragma once
/// @file
/// Bilinear (Q1) finite elements on the s x s node grid of the unit square
/// (square elements of side h = 1/(s - 1)) for
///   -lap u - k^2 u = f in the square,   du/dn = g on its sides,
/// a natural boundary condition: every node is unknown. k^2 and f are
/// bilinear between the nodes and g linear along each side, so the element
/// integrals (by 3 x 3 Gauss points) are exact. The rows are nine-point
/// (EllipticOperator::stencil), scaled like the five-point scheme: the
/// stiffness is dimensionless, the mass and the source carry h^2 and the
/// flux h.
///
/// Why elements and not the five-point scheme: the de Hoop Helmholtz
/// benchmark is defined by Q1 elements at about 12 points per wavelength,
/// where the two discretisations' dispersion errors differ enough that
/// their solutions differ by more than the solutions themselves (relative
/// L2 difference 4-6 at omega = 1000, 1.5e-5 at omega = 10; measured with
/// tests/pde/q1_helmholtz_scipy.py's assembly against a five-point one).

#include <array>
#include <vector>

#include "opforge/pde/elliptic_operator.hpp"

namespace opforge::pde {

struct NaturalBoundaryProblem {
  std::int64_t s = 0;
  Field2D wavenumber_squared;  ///< k^2 at the nodes; empty = 0
  Field2D source;              ///< f at the nodes; empty = 0
  /// Sides of the square, in the order of `flux`.
  enum Side { bottom, top, left, right };
  /// g = du/dn (outward) at the s nodes of each side, in x order on the
  /// bottom and top, y order on the left and right; empty = 0.
  std::array<std::vector<double>, 4> flux;
};

EllipticOperator discretize_q1(const NaturalBoundaryProblem& problem);

}  // namespace opforge::pde
