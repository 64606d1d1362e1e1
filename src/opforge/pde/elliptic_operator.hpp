#pragma once
/// @file
/// The discrete operator every 2-D family assembles: on the s x s node grid,
///   -div(a grad u) - k^2 u = f,   u = g on Dirichlet nodes,
/// as the symmetric 5-point scheme (scaled by h^2)
///   sum_{faces pq} w_pq (u_p - u_q) - h^2 k_p^2 u_p = h^2 f_p,
/// with face weights w_pq the harmonic mean of a_p and a_q. Dirichlet nodes
/// (the outer boundary, and masked nodes such as holes) are eliminated: their
/// known values move to the right-hand side, so the matrix is symmetric, and
/// SPD when k = 0.

#include <array>
#include <cstdint>
#include <vector>

#include "opforge/pde/field.hpp"

namespace opforge::pde {

/// Continuous data of one problem, sampled on the node grid.
struct EllipticProblem {
  std::int64_t s = 0;
  Field2D coefficient;         ///< a > 0; empty = 1 everywhere
  Field2D wavenumber_squared;  ///< k^2; empty = 0 everywhere
  Field2D source;              ///< f; empty = 0
  Field2D boundary;            ///< g at Dirichlet nodes; empty = 0
  std::vector<std::uint8_t> dirichlet;  ///< 1 = Dirichlet node; empty = the outer boundary
};

/// The assembled stencil, independent of PETSc.
struct EllipticOperator {
  std::int64_t s = 0;
  std::vector<double> east;        ///< w between (i, j) and (i+1, j)
  std::vector<double> north;       ///< w between (i, j) and (i, j+1)
  std::vector<double> shift;       ///< h^2 k^2 at each node (subtracted from the diagonal)
  std::vector<double> load;        ///< h^2 f at each node
  std::vector<std::uint8_t> dirichlet;
  std::vector<double> boundary;    ///< g at Dirichlet nodes
  /// Diagonal used for rows of Dirichlet nodes inside the solved block, of
  /// the same size as the other rows so the spectrum is not distorted.
  double dirichlet_diagonal = 1.0;
  /// Nine-point rows (bilinear elements with natural boundary conditions,
  /// q1_operator.hpp): when not empty, every node of the grid is unknown
  /// and row k is the sum over (di, dj) in {-1, 0, 1}^2 of
  /// stencil[k][3 (di + 1) + (dj + 1)] u(i + di, j + dj), with right-hand
  /// side load[k]; the five-point fields above are unused.
  std::vector<std::array<double, 9>> stencil;
  bool nine_point() const { return !stencil.empty(); }

  std::size_t index(std::int64_t i, std::int64_t j) const { return static_cast<std::size_t>(i * s + j); }
  /// Matrix diagonal at a free node.
  double diagonal(std::int64_t i, std::int64_t j) const;
  /// Right-hand side at a free node, Dirichlet neighbours included.
  double rhs(std::int64_t i, std::int64_t j) const;
  /// Residual (h^2 f + Dirichlet terms) - A u at free nodes, 0 at Dirichlet
  /// nodes (every node of a nine-point operator): a PETSc-free reference for
  /// tests.
  Field2D residual(const Field2D& u) const;
};

EllipticOperator discretize(const EllipticProblem& problem);

/// Dirichlet mask of the outer boundary of an s x s grid.
std::vector<std::uint8_t> outer_boundary_mask(std::int64_t s);

}  // namespace opforge::pde
