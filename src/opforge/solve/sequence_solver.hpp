#pragma once
/// @file
/// One KSP reused along a sequence of systems, with the outcome of every
/// solve recorded as data and a direct-solver fallback for failed solves.

#include <memory>
#include <string>

#include "opforge/config/config.hpp"
#include "opforge/solve/grid_system.hpp"

namespace opforge {
class Communicator;
}

namespace opforge::solve {

/// The `solver:` section: what the KSP is created with. PETSc options given
/// after `--` or in `petsc_options:` override these (KSPSetFromOptions runs
/// last), so what a solver runs with is read back with SequenceSolver::settings().
struct SolverOptions {
  std::string ksp_type = "gmres";
  /// Empty: PETSc's default for the communicator (ILU serial, block Jacobi parallel).
  std::string pc_type;
  /// Factorisation package for pc_type lu/cholesky (mumps, superlu_dist, petsc); empty: PETSc's choice.
  std::string factor_package;
  double rtol = 1e-8;
  double atol = 1e-50;
  int max_it = 10000;
  int restart = 40;
  /// Recycled dimension k of ksp_type gcrodr (restart is its m): the
  /// indefinite default here, the operator's in parse() (default_recycle).
  int recycle = default_recycle(false);
  /// Direct solver for solves that fail: mumps, superlu_dist, petsc (serial LU) or none.
  std::string fallback = "mumps";
  /// A solve is accepted when ||b - Ax|| / ||b|| <= accept_factor * rtol.
  double accept_factor = 10.0;
  /// Start each solve from the previous system's solution (`previous`: along
  /// a sorted order, a neighbour's) instead of zero (`zero`).
  bool start_from_previous = false;

  /// GCRO-DR(40, k)'s k where the config does not set it: 10 for SPD
  /// sequences, 20 (the SKR paper's) for indefinite ones. Measured on 100
  /// Darcy systems (10^4 unknowns, rtol 1e-8) SKR with k = 10 is 1.2-1.4x
  /// faster than with k = 20 under every preconditioner (no preconditioner:
  /// 3.1-3.3x GMRES(40)'s speed against 2.7x); on indefinite Helmholtz
  /// (SOR, ILU; de Hoop with ILU) k = 20 is 1.2-1.4x faster
  /// (docs/benchmarks.md, "The recycled dimension k").
  static int default_recycle(bool positive_definite) { return positive_definite ? 10 : 20; }
  static SolverOptions parse(const config::Section& section, bool positive_definite = false);
  /// `solver: auto`: the fastest strategy measured for this kind of problem
  /// (docs/benchmarks.md, bench_solver_auto): a Krylov method with geometric
  /// multigrid on the grid (one hierarchy for the whole sequence, only the
  /// Galerkin coarse operators recomputed when the matrix changes; for wave
  /// problems the coarsest grid still resolves the waves). CG when SPD, where
  /// it beats CG + BoomerAMG for new and for fixed matrices; GMRES(40) when
  /// indefinite, where it beats sparse LU. With a natural boundary (every
  /// node unknown, nine-point elements: the grid multigrid does not apply)
  /// MUMPS LU, the fastest of those measured on helmholtz_dehoop.
  static SolverOptions automatic(bool positive_definite, bool natural_boundary = false);
  /// Parses `solver:` as a mapping, or `solver: auto` via automatic().
  static SolverOptions parse_in(const config::Section& parent, bool positive_definite, bool natural_boundary = false);
};

/// The settings a SequenceSolver's KSP runs with, read back from PETSc after
/// KSPSetFromOptions: the one source for the acceptance test, the log line
/// and the dataset's provenance.
struct SolverSettings {
  std::string ksp_type;
  std::string pc_type;         ///< "" when PETSc has not chosen one yet
  std::string factor_package;  ///< lu/cholesky only
  double rtol = 0.0;
  double atol = 0.0;
  int max_it = 0;
  int restart = 0;  ///< GMRES-family restart or gcrodr's m; 0 for types without one
  int recycle = 0;  ///< gcrodr's k; 0 for other types
  std::string fallback;
  double accept_factor = 0.0;

  /// Largest true relative residual accepted: accept_factor * rtol.
  double acceptance_bound() const { return accept_factor * rtol; }
  /// "gmres+ilu rtol=1e-08 atol=1e-50 max_it=10000 restart=40 fallback=mumps".
  std::string describe() const;
};

struct SolveRecord {
  int iterations = 0;
  double residual = 0.0;  ///< true relative residual of the returned solution
  int reason = 0;         ///< KSPConvergedReason of the Krylov solve
  double seconds = 0.0;   ///< Krylov solve plus fallback, if any
  bool converged = false; ///< residual accepted (by either path)
  bool used_fallback = false;
};

class SequenceSolver {
public:
  SequenceSolver(const Communicator& comm, const SolverOptions& options);
  SequenceSolver(const SequenceSolver&) = delete;
  SequenceSolver& operator=(const SequenceSolver&) = delete;
  ~SequenceSolver();

  /// Solve `system`; `operator_changed` says the matrix was reassembled since
  /// the last solve (the preconditioner is rebuilt then, and only then).
  SolveRecord solve(GridSystem& system, bool operator_changed);
  /// What the KSP runs with now, the options database applied.
  SolverSettings settings() const;
  /// settings().describe().
  std::string describe() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opforge::solve
