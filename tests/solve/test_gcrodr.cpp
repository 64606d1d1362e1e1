#include <gtest/gtest.h>
#include <petscksp.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <string>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/core/petsc_check.hpp"
#include "opforge/core/petsc_object.hpp"
#include "opforge/pde/pde_family.hpp"
#include "opforge/solve/gcrodr.hpp"
#include "opforge/solve/register_all.hpp"
#include "opforge/solve/grid_system.hpp"

namespace {

using namespace opforge;

std::unique_ptr<pde::PdeFamily> family(const std::string& yaml) {
  const auto doc = config::Document::parse(yaml, "test.yaml");
  return pde::make_pde_family(doc.root().section("pde"));
}

/// A KSP on the world communicator: `type` with `pc`, right preconditioning.
PetscOwner<KSP> make_ksp(const char* type, const char* pc_type, double rtol, int max_it = 10000) {
  solve::register_all();
  PetscOwner<KSP> ksp;
  OPFORGE_PETSC_CALL(KSPCreate(PETSC_COMM_WORLD, ksp.out()));
  OPFORGE_PETSC_CALL(KSPSetType(ksp, type));
  OPFORGE_PETSC_CALL(KSPSetPCSide(ksp, PC_RIGHT));
  OPFORGE_PETSC_CALL(KSPGMRESSetRestart(ksp, 40));
  OPFORGE_PETSC_CALL(KSPSetTolerances(ksp, rtol, 1e-50, PETSC_DEFAULT, max_it));
  PC pc;
  OPFORGE_PETSC_CALL(KSPGetPC(ksp, &pc));
  OPFORGE_PETSC_CALL(PCSetType(pc, pc_type));
  return ksp;
}

struct Solve {
  int iterations;
  KSPConvergedReason reason;
  double residual;
};

Solve solve(KSP ksp, solve::GridSystem& system, const pde::EllipticOperator& op, bool new_matrix) {
  if (new_matrix) system.assemble_matrix(op);
  system.assemble_rhs(op);
  if (new_matrix) OPFORGE_PETSC_CALL(KSPSetOperators(ksp, system.matrix(), system.matrix()));
  OPFORGE_PETSC_CALL(KSPSolve(ksp, system.rhs(), system.solution()));
  PetscInt its;
  KSPConvergedReason reason;
  OPFORGE_PETSC_CALL(KSPGetIterationNumber(ksp, &its));
  OPFORGE_PETSC_CALL(KSPGetConvergedReason(ksp, &reason));
  return {static_cast<int>(its), reason, system.true_relative_residual()};
}

TEST(Gcrodr, IsRegisteredAsAPetscKspType) {
  auto ksp = make_ksp("gcrodr", PCNONE, 1e-8);
  KSPType type;
  OPFORGE_PETSC_CALL(KSPGetType(ksp, &type));
  EXPECT_STREQ(type, "gcrodr");
}

TEST(Gcrodr, SameSolutionAsPetscGmresWithSeveralPreconditioners) {
  const auto darcy = family("pde: {type: darcy, resolution: 26, coefficient: exp}");
  const auto op = darcy->sample(1, 0).op;
  for (const char* pc : {PCNONE, PCJACOBI, PCBJACOBI, PCASM}) {
    solve::GridSystem reference(Environment::current().world(), 26), recycled(Environment::current().world(), 26);
    auto gmres = make_ksp(KSPGMRES, pc, 1e-11);
    auto gcrodr = make_ksp("gcrodr", pc, 1e-11);
    const Solve a = solve(gmres, reference, op, true);
    const Solve b = solve(gcrodr, recycled, op, true);
    EXPECT_GT(b.reason, 0) << pc;
    EXPECT_LT(b.residual, 1e-10) << pc;  // right preconditioning: monitored = true residual
    PetscOwner<Vec> difference;
    OPFORGE_PETSC_CALL(VecDuplicate(reference.solution(), difference.out()));
    OPFORGE_PETSC_CALL(VecWAXPY(difference, -1.0, reference.solution(), recycled.solution()));
    PetscReal diff, norm;
    OPFORGE_PETSC_CALL(VecNorm(difference, NORM_2, &diff));
    OPFORGE_PETSC_CALL(VecNorm(reference.solution(), NORM_2, &norm));
    EXPECT_LT(diff / norm, 1e-8) << pc << " (gmres " << a.iterations << " its, gcrodr " << b.iterations << ")";
  }
}

TEST(Gcrodr, RecycledSpaceCutsIterationsAlongASequenceOfSimilarSystems) {
  // Smooth coefficient (exp of a GRF), consecutive samples: similar operators.
  const auto darcy = family("pde: {type: darcy, resolution: 40, coefficient: exp}");
  solve::GridSystem system(Environment::current().world(), 40);
  auto gmres = make_ksp(KSPGMRES, PCJACOBI, 1e-8);
  auto gcrodr = make_ksp("gcrodr", PCJACOBI, 1e-8);
  std::vector<int> gmres_its, gcrodr_its;
  for (std::int64_t i = 0; i < 6; ++i) {
    const auto op = darcy->sample(2, i).op;
    gmres_its.push_back(solve(gmres, system, op, true).iterations);
    const Solve s = solve(gcrodr, system, op, true);
    EXPECT_GT(s.reason, 0);
    EXPECT_LT(s.residual, 1e-7);
    gcrodr_its.push_back(s.iterations);
  }
  const int later_gcrodr = std::accumulate(gcrodr_its.begin() + 1, gcrodr_its.end(), 0);
  const int later_gmres = std::accumulate(gmres_its.begin() + 1, gmres_its.end(), 0);
  EXPECT_LT(later_gcrodr, 0.6 * later_gmres) << "gmres " << later_gmres << " vs gcrodr " << later_gcrodr;
  EXPECT_LT(gcrodr_its.back(), gcrodr_its.front());
  EXPECT_GT(solve::gcrodr_recycled_dimension(gcrodr), 0);
}

TEST(Gcrodr, FixedMatrixNewRightHandSidesReuseTheSpaceWithoutRecomputingC) {
  const auto poisson = family("pde: {type: poisson, resolution: 40}");
  solve::GridSystem system(Environment::current().world(), 40);
  auto gcrodr = make_ksp("gcrodr", PCNONE, 1e-8);
  std::vector<int> its;
  for (std::int64_t i = 0; i < 4; ++i) {
    const Solve s = solve(gcrodr, system, poisson->sample(3, i).op, i == 0);
    EXPECT_LT(s.residual, 1e-7);
    its.push_back(s.iterations);
  }
  EXPECT_LT(its[3], its[0] / 2) << its[0] << " -> " << its[3];
  std::vector<char> buffer(8192, '\0');
  PetscViewer viewer;
  OPFORGE_PETSC_CALL(PetscViewerStringOpen(PETSC_COMM_WORLD, buffer.data(), buffer.size(), &viewer));
  OPFORGE_PETSC_CALL(KSPView(gcrodr, viewer));
  OPFORGE_PETSC_CALL(PetscViewerDestroy(&viewer));
  const std::string view = buffer.data();
  EXPECT_NE(view.find("GCRO-DR: Krylov dimension m=40, recycle dimension k=20"), std::string::npos) << view;
  EXPECT_NE(view.find("C recomputed for 0 new systems"), std::string::npos) << view;
}

TEST(Gcrodr, IndefiniteHelmholtzConvergesWhereRestartedGmresStagnates) {
  const auto helmholtz = family("pde: {type: helmholtz, resolution: 48, k_min: 25, k_max: 35}");
  solve::GridSystem system(Environment::current().world(), 48);
  auto gmres = make_ksp(KSPGMRES, PCNONE, 1e-7, 4000);
  auto gcrodr = make_ksp("gcrodr", PCNONE, 1e-7, 4000);
  int gmres_failures = 0;
  for (std::int64_t i = 0; i < 3; ++i) {
    const auto op = helmholtz->sample(4, i).op;
    gmres_failures += solve(gmres, system, op, true).reason < 0 ? 1 : 0;
    const Solve s = solve(gcrodr, system, op, true);
    EXPECT_GT(s.reason, 0) << "sample " << i;
    EXPECT_LT(s.residual, 1e-6);
  }
  EXPECT_EQ(gmres_failures, 3);
}

// The Arnoldi cycle's second Gram-Schmidt pass (-ksp_gcrodr_cgs_refinement_type,
// read by KSPSetFromOptions and shown by KSPView): each choice solves the
// indefinite sequence, and one pass costs no more than 10% extra iterations.
TEST(Gcrodr, EveryGramSchmidtRefinementSolvesTheIndefiniteSequence) {
  const auto helmholtz = family("pde: {type: helmholtz, resolution: 48, k_min: 25, k_max: 35}");
  std::map<std::string, int> iterations;
  for (const std::string refinement : {"refine_never", "refine_ifneeded", "refine_always"}) {
    solve::GridSystem system(Environment::current().world(), 48);
    auto gcrodr = make_ksp("gcrodr", PCNONE, 1e-7, 4000);
    OPFORGE_PETSC_CALL(KSPSetOptionsPrefix(gcrodr, "refinement_test_"));
    OPFORGE_PETSC_CALL(
        PetscOptionsSetValue(nullptr, "-refinement_test_ksp_gcrodr_cgs_refinement_type", refinement.c_str()));
    OPFORGE_PETSC_CALL(KSPSetFromOptions(gcrodr));
    OPFORGE_PETSC_CALL(PetscOptionsClearValue(nullptr, "-refinement_test_ksp_gcrodr_cgs_refinement_type"));
    for (std::int64_t i = 0; i < 3; ++i) {
      const Solve s = solve(gcrodr, system, helmholtz->sample(4, i).op, true);
      EXPECT_GT(s.reason, 0) << refinement << " sample " << i;
      EXPECT_LT(s.residual, 1e-6) << refinement;
      iterations[refinement] += s.iterations;
    }
    std::vector<char> buffer(8192, '\0');
    PetscViewer viewer;
    OPFORGE_PETSC_CALL(PetscViewerStringOpen(PETSC_COMM_WORLD, buffer.data(), buffer.size(), &viewer));
    OPFORGE_PETSC_CALL(KSPView(gcrodr, viewer));
    OPFORGE_PETSC_CALL(PetscViewerDestroy(&viewer));
    std::string upper = refinement;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    EXPECT_NE(std::string(buffer.data()).find("classical Gram-Schmidt refinement " + upper), std::string::npos)
        << buffer.data();
  }
  EXPECT_LE(iterations["refine_never"], 1.1 * iterations["refine_always"])
      << iterations["refine_never"] << " against " << iterations["refine_always"];
}

TEST(Gcrodr, IterationLimitIsReportedAsDivergedIts) {
  const auto darcy = family("pde: {type: darcy, resolution: 30}");
  solve::GridSystem system(Environment::current().world(), 30);
  auto gcrodr = make_ksp("gcrodr", PCNONE, 1e-12, 25);
  const Solve s = solve(gcrodr, system, darcy->sample(0, 0).op, true);
  EXPECT_EQ(s.reason, KSP_DIVERGED_ITS);
  EXPECT_EQ(s.iterations, 25);
}

}  // namespace
