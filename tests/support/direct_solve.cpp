#include "support/direct_solve.hpp"

#include <petscksp.h>

#include "opforge/core/petsc_check.hpp"
#include "opforge/core/petsc_object.hpp"

namespace opforge::test_support {

void solve_directly(solve::GridSystem& system) {
  PetscOwner<KSP> ksp;
  OPFORGE_PETSC_CALL(KSPCreate(PetscObjectComm(reinterpret_cast<PetscObject>(system.matrix())), ksp.out()));
  OPFORGE_PETSC_CALL(KSPSetOperators(ksp, system.matrix(), system.matrix()));
  OPFORGE_PETSC_CALL(KSPSetType(ksp, KSPPREONLY));
  PC pc;
  OPFORGE_PETSC_CALL(KSPGetPC(ksp, &pc));
  OPFORGE_PETSC_CALL(PCSetType(pc, PCLU));
  OPFORGE_PETSC_CALL(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  OPFORGE_PETSC_CALL(KSPSolve(ksp, system.rhs(), system.solution()));
}

}  // namespace opforge::test_support
