#pragma once
/// @file
/// The linear system of one problem on a PETSc DMDA, distributed over a
/// communicator: over the interior nodes (Dirichlet boundary nodes are
/// eliminated) for five-point operators, or over every node with a
/// nine-point (box) stencil for operators with natural boundary conditions
/// (EllipticOperator::nine_point). The
/// matrix keeps its nonzero pattern across problems, so it can be updated in
/// place and one KSP reused along a sequence.

#include <cstdint>
#include <memory>

#include "opforge/pde/elliptic_operator.hpp"

struct _p_DM;
struct _p_Mat;
struct _p_Vec;

namespace opforge {
class Communicator;
}

namespace opforge::solve {

class GridSystem {
public:
  /// `coarsest_grid_nodes`: see coarsest_grid_nodes() (0: no limit);
  /// `all_nodes`: every node is unknown and couples to its eight neighbours.
  GridSystem(const Communicator& comm, std::int64_t s, std::int64_t coarsest_grid_nodes = 0, bool all_nodes = false);
  GridSystem(const GridSystem&) = delete;
  GridSystem& operator=(const GridSystem&) = delete;
  ~GridSystem();

  /// Matrix values of `op` (same pattern every time).
  void assemble_matrix(const pde::EllipticOperator& op);
  /// Right-hand side of `op`.
  void assemble_rhs(const pde::EllipticOperator& op);

  /// The DMDA of the unknown nodes (its layout is the matrix's).
  _p_DM* grid() const;
  /// Fewest interior nodes per axis a multigrid coarse grid of this system
  /// may have (PdeFamily::coarsest_grid_nodes; 0: no limit).
  std::int64_t coarsest_grid_nodes() const;
  /// Whether every node is unknown (a nine-point operator's grid).
  bool all_nodes() const;
  _p_Mat* matrix() const;
  _p_Vec* rhs() const;
  _p_Vec* solution() const;
  /// Sets the solution vector to zero (the next warm-started solve starts cold).
  void clear_solution();
  std::int64_t unknowns() const;

  /// ||b - A x|| / ||b|| computed explicitly (never a solver's estimate).
  double true_relative_residual() const;
  /// The solution on the whole s x s grid, Dirichlet values included, on
  /// rank 0 of the communicator (an empty field elsewhere). Collective.
  pde::Field2D gather_solution(const pde::EllipticOperator& op) const;

private:
  void assemble_five_point(const pde::EllipticOperator& op);
  void assemble_nine_point(const pde::EllipticOperator& op);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opforge::solve
