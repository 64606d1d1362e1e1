#include "opforge/solve/sequence_solver.hpp"

#include <petscksp.h>

#include <algorithm>
#include <sstream>

#include "opforge/core/mpi_native.hpp"
#include "opforge/core/petsc_check.hpp"
#include "opforge/core/petsc_object.hpp"
#include "opforge/solve/gcrodr.hpp"
#include "opforge/solve/grid_multigrid.hpp"
#include "opforge/solve/register_all.hpp"

namespace opforge::solve {

SolverOptions SolverOptions::parse(const config::Section& s, bool positive_definite) {
  SolverOptions o;
  o.ksp_type = s.get<std::string>("ksp_type", o.ksp_type);
  o.pc_type = s.get<std::string>("pc_type", o.pc_type);
  o.rtol = s.get<double>("rtol", o.rtol, config::Bounds{0.0, 1.0, true, true});
  o.atol = s.get<double>("atol", o.atol, config::non_negative());
  o.max_it = s.get<int>("max_it", o.max_it, config::at_least(1));
  o.restart = s.get<int>("restart", o.restart, config::at_least(1));
  // The default fits under any restart, so a short GMRES restart alone is not refused.
  o.recycle = s.get<int>("recycle", std::min(default_recycle(positive_definite), o.restart - 1), config::at_least(0));
  if (o.recycle >= o.restart)
    s.fail("recycle", "must be smaller than restart (" + std::to_string(o.restart) + ")");
  if (s.has("factor_package"))
    o.factor_package = s.choice("factor_package", {"mumps", "superlu_dist", "superlu", "petsc"});
  o.fallback = s.choice("fallback", {"mumps", "superlu_dist", "petsc", "none"}, o.fallback);
  o.accept_factor = s.get<double>("accept_factor", o.accept_factor, config::at_least(1.0));
  o.start_from_previous = s.choice("initial_guess", {"zero", "previous"}, std::string("zero")) == "previous";
  return o;
}

SolverOptions SolverOptions::automatic(bool positive_definite, bool natural_boundary) {
  SolverOptions o;
  if (natural_boundary) {
    o.ksp_type = "preonly";
    o.pc_type = "lu";
    o.factor_package = "mumps";
    return o;
  }
  o.ksp_type = positive_definite ? "cg" : "gmres";
  o.pc_type = "mg";
  return o;
}

SolverOptions SolverOptions::parse_in(const config::Section& parent, bool positive_definite, bool natural_boundary) {
  if (parent.is_scalar("solver")) {
    parent.choice("solver", {"auto"});
    return automatic(positive_definite, natural_boundary);
  }
  return parse(parent.section_or_empty("solver"), positive_definite);
}

namespace {
bool option_given(const char* name) {
  PetscBool given = PETSC_FALSE;
  OPFORGE_PETSC_CALL(PetscOptionsHasName(nullptr, nullptr, name, &given));
  return given == PETSC_TRUE;
}
}  // namespace

struct SequenceSolver::Impl {
  Communicator comm;
  SolverOptions options;
  PetscOwner<KSP> ksp, fallback;
  bool fallback_has_operator = false;
  /// Object id of the grid the geometric multigrid hierarchy was built for (-1: none).
  PetscObjectId multigrid_grid = -1;

  explicit Impl(Communicator c) : comm(std::move(c)) {}

  void create_fallback() {
    OPFORGE_PETSC_CALL(KSPCreate(native(comm), fallback.out()));
    OPFORGE_PETSC_CALL(KSPSetOptionsPrefix(fallback, "fallback_"));
    OPFORGE_PETSC_CALL(KSPSetType(fallback, KSPPREONLY));
    PC pc;
    OPFORGE_PETSC_CALL(KSPGetPC(fallback, &pc));
    OPFORGE_PETSC_CALL(PCSetType(pc, PCLU));
    if (options.fallback != "petsc") OPFORGE_PETSC_CALL(PCFactorSetMatSolverType(pc, options.fallback.c_str()));
    OPFORGE_PETSC_CALL(KSPSetFromOptions(fallback));
  }
};

SequenceSolver::SequenceSolver(const Communicator& comm, const SolverOptions& options)
    : impl_(std::make_unique<Impl>(comm.duplicate())) {
  register_all();
  Impl& m = *impl_;
  m.options = options;
  OPFORGE_PETSC_CALL(KSPCreate(native(m.comm), m.ksp.out()));
  OPFORGE_PETSC_CALL(KSPSetType(m.ksp, options.ksp_type.c_str()));
  OPFORGE_PETSC_CALL(KSPGMRESSetRestart(m.ksp, options.restart));  // ignored by non-GMRES types
  gcrodr_set_sizes(m.ksp, options.restart, options.recycle);        // ignored by non-GCRO-DR types
  OPFORGE_PETSC_CALL(KSPSetTolerances(m.ksp, options.rtol, options.atol, PETSC_DEFAULT, options.max_it));
  // The tolerance stays relative to ||b|| (PETSc's default), so a warm start
  // saves iterations instead of lowering the bar.
  if (options.start_from_previous) OPFORGE_PETSC_CALL(KSPSetInitialGuessNonzero(m.ksp, PETSC_TRUE));
  if (!options.pc_type.empty()) {
    PC pc;
    OPFORGE_PETSC_CALL(KSPGetPC(m.ksp, &pc));
    OPFORGE_PETSC_CALL(PCSetType(pc, options.pc_type.c_str()));
    if (!options.factor_package.empty())
      OPFORGE_PETSC_CALL(PCFactorSetMatSolverType(pc, options.factor_package.c_str()));
  }
  OPFORGE_PETSC_CALL(KSPSetFromOptions(m.ksp));
  // Make the solver's stopping test use the true residual where the method
  // allows it, unless the user chose otherwise: with left preconditioning a
  // Krylov method can stop on a preconditioned residual that means little.
  KSPType type;
  OPFORGE_PETSC_CALL(KSPGetType(m.ksp, &type));
  const std::string chosen = type;
  if (!option_given("-ksp_pc_side") && !option_given("-ksp_norm_type")) {
    if (chosen == "gcrodr" || chosen == KSPGMRES || chosen == KSPFGMRES || chosen == KSPLGMRES || chosen == KSPDGMRES ||
        chosen == KSPBCGS || chosen == KSPGCR)
      OPFORGE_PETSC_CALL(KSPSetPCSide(m.ksp, PC_RIGHT));
    if (chosen == KSPCG || chosen == KSPCR) OPFORGE_PETSC_CALL(KSPSetNormType(m.ksp, KSP_NORM_UNPRECONDITIONED));
  }
}

SequenceSolver::~SequenceSolver() = default;

std::string SolverSettings::describe() const {
  std::ostringstream out;
  out << ksp_type << "+" << (pc_type.empty() ? "default" : pc_type);
  if (!factor_package.empty()) out << "(" << factor_package << ")";
  out << " rtol=" << rtol << " atol=" << atol << " max_it=" << max_it;
  if (restart > 0) out << " restart=" << restart;
  if (recycle > 0) out << " recycle=" << recycle;
  out << " fallback=" << fallback;
  return out.str();
}

SolverSettings SequenceSolver::settings() const {
  const Impl& m = *impl_;
  SolverSettings s;
  KSPType ksp_type;
  OPFORGE_PETSC_CALL(KSPGetType(m.ksp, &ksp_type));
  s.ksp_type = ksp_type;
  PC pc;
  PCType pc_type;
  OPFORGE_PETSC_CALL(KSPGetPC(m.ksp, &pc));
  OPFORGE_PETSC_CALL(PCGetType(pc, &pc_type));
  if (pc_type) s.pc_type = pc_type;
  if (s.pc_type == PCLU || s.pc_type == PCCHOLESKY) {
    MatSolverType package = nullptr;
    OPFORGE_PETSC_CALL(PCFactorGetMatSolverType(pc, &package));
    if (package) s.factor_package = package;
  }
  PetscReal rtol, atol, dtol;
  PetscInt max_it;
  OPFORGE_PETSC_CALL(KSPGetTolerances(m.ksp, &rtol, &atol, &dtol, &max_it));
  s.rtol = rtol;
  s.atol = atol;
  s.max_it = static_cast<int>(max_it);
  // Only the GMRES family composes a restart getter; asking another type would error.
  PetscErrorCode (*gmres_restart)(KSP, PetscInt*) = nullptr;
  OPFORGE_PETSC_CALL(PetscObjectQueryFunction(reinterpret_cast<PetscObject>(m.ksp.get()), "KSPGMRESGetRestart_C",
                                              &gmres_restart));
  if (gmres_restart) {
    PetscInt restart = 0;
    OPFORGE_PETSC_CALL(gmres_restart(m.ksp, &restart));
    s.restart = static_cast<int>(restart);
  }
  if (const auto sizes = gcrodr_sizes(m.ksp)) {
    s.restart = sizes->first;
    s.recycle = sizes->second;
  }
  s.fallback = m.options.fallback;
  s.accept_factor = m.options.accept_factor;
  return s;
}

std::string SequenceSolver::describe() const { return settings().describe(); }

SolveRecord SequenceSolver::solve(GridSystem& system, bool operator_changed) {
  Impl& m = *impl_;
  SolveRecord record;
  const double start = MPI_Wtime();
  if (operator_changed) {
    OPFORGE_PETSC_CALL(KSPSetOperators(m.ksp, system.matrix(), system.matrix()));
    m.fallback_has_operator = false;
    PC pc;
    OPFORGE_PETSC_CALL(KSPGetPC(m.ksp, &pc));
    PetscObjectId grid_id;
    OPFORGE_PETSC_CALL(PetscObjectGetId(reinterpret_cast<PetscObject>(system.grid()), &grid_id));
    if (is_multigrid(pc) && grid_id != m.multigrid_grid) {
      setup_grid_multigrid(pc, system);
      m.multigrid_grid = grid_id;
    }
  }
  OPFORGE_PETSC_CALL(KSPSolve(m.ksp, system.rhs(), system.solution()));
  PetscInt iterations = 0;
  KSPConvergedReason reason;
  OPFORGE_PETSC_CALL(KSPGetIterationNumber(m.ksp, &iterations));
  OPFORGE_PETSC_CALL(KSPGetConvergedReason(m.ksp, &reason));
  record.iterations = static_cast<int>(iterations);
  record.reason = static_cast<int>(reason);
  record.residual = system.true_relative_residual();
  // The tolerance the KSP ran with, which the options database may have changed.
  PetscReal rtol, atol, dtol;
  PetscInt max_it;
  OPFORGE_PETSC_CALL(KSPGetTolerances(m.ksp, &rtol, &atol, &dtol, &max_it));
  const double accepted = m.options.accept_factor * rtol;
  record.converged = reason > 0 && record.residual <= accepted;

  if (!record.converged && m.options.fallback != "none") {
    if (!m.fallback) m.create_fallback();
    if (!m.fallback_has_operator) {
      OPFORGE_PETSC_CALL(KSPSetOperators(m.fallback, system.matrix(), system.matrix()));
      m.fallback_has_operator = true;
    }
    OPFORGE_PETSC_CALL(KSPSolve(m.fallback, system.rhs(), system.solution()));
    record.used_fallback = true;
    record.residual = system.true_relative_residual();
    record.converged = record.residual <= accepted;
  }
  record.seconds = MPI_Wtime() - start;
  return record;
}

}  // namespace opforge::solve
