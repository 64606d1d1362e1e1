#include <gtest/gtest.h>
#include <petscksp.h>

#include <algorithm>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/core/petsc_check.hpp"
#include "opforge/core/petsc_object.hpp"
#include "opforge/pde/pde_family.hpp"
#include "opforge/solve/grid_system.hpp"
#include "support/from_yaml.hpp"

namespace {

using namespace opforge;

using test_support::pde_family;

/// Eigenvalues of the assembled matrix (dense; small grids only).
std::vector<double> eigenvalues(Mat A) {
  PetscOwner<KSP> ksp;
  OPFORGE_PETSC_CALL(KSPCreate(PETSC_COMM_WORLD, ksp.out()));
  OPFORGE_PETSC_CALL(KSPSetOperators(ksp, A, A));
  PC pc;
  OPFORGE_PETSC_CALL(KSPGetPC(ksp, &pc));
  OPFORGE_PETSC_CALL(PCSetType(pc, PCNONE));
  OPFORGE_PETSC_CALL(KSPSetUp(ksp));
  PetscInt n;
  OPFORGE_PETSC_CALL(MatGetSize(A, &n, nullptr));
  std::vector<PetscReal> re(static_cast<std::size_t>(n)), im(static_cast<std::size_t>(n));
  OPFORGE_PETSC_CALL(KSPComputeEigenvaluesExplicitly(ksp, n, re.data(), im.data()));
  // PETSc computes them on rank 0 only.
  Environment::current().world().broadcast(re.data(), re.size(), 0);
  Environment::current().world().broadcast(im.data(), im.size(), 0);
  for (double v : im) EXPECT_NEAR(v, 0.0, 1e-8);
  return std::vector<double>(re.begin(), re.end());
}

bool symmetric(Mat A) {
  PetscBool flag = PETSC_FALSE;
  OPFORGE_PETSC_CALL(MatIsSymmetric(A, 1e-12, &flag));
  return flag == PETSC_TRUE;
}

TEST(OperatorProperties, DarcyOperatorIsSymmetricPositiveDefinite) {
  const auto darcy = pde_family("pde: {type: darcy, resolution: 12}");
  solve::GridSystem system(Environment::current().world(), 12);
  for (std::int64_t i = 0; i < 3; ++i) {
    system.assemble_matrix(darcy->sample(5, i).op);
    EXPECT_TRUE(symmetric(system.matrix()));
    const auto lambda = eigenvalues(system.matrix());
    EXPECT_GT(*std::min_element(lambda.begin(), lambda.end()), 0.0) << "sample " << i;
  }
}

TEST(OperatorProperties, HelmholtzOperatorIsSymmetricIndefinite) {
  const auto helmholtz = pde_family("pde: {type: helmholtz, resolution: 16}");
  solve::GridSystem system(Environment::current().world(), 16);
  system.assemble_matrix(helmholtz->sample(0, 0).op);
  EXPECT_TRUE(symmetric(system.matrix()));
  const auto lambda = eigenvalues(system.matrix());
  EXPECT_LT(*std::min_element(lambda.begin(), lambda.end()), 0.0);
  EXPECT_GT(*std::max_element(lambda.begin(), lambda.end()), 0.0);
}

TEST(OperatorProperties, HelmholtzCoarsestGridKeepsEightPointsPerWavelength) {
  // 2 pi (N + 1) / k_max >= 8 with N the interior nodes per axis; the other
  // families set no limit.
  EXPECT_EQ(pde_family("pde: {type: helmholtz, k_max: 39}")->coarsest_grid_nodes(), 49);
  EXPECT_EQ(pde_family("pde: {type: helmholtz, k_min: 1, k_max: 3}")->coarsest_grid_nodes(), 3);
  EXPECT_EQ(pde_family("pde: {type: darcy}")->coarsest_grid_nodes(), 0);
}

TEST(OperatorProperties, FixedMatrixFamiliesShareTheMatrixAndVaryTheRightHandSide) {
  for (const char* yaml : {"pde: {type: poisson, resolution: 12}", "pde: {type: heat, resolution: 12}"}) {
    const auto f = pde_family(yaml);
    ASSERT_TRUE(f->fixed_matrix());
    const auto first = f->sample(1, 0).op, second = f->sample(1, 1).op;
    EXPECT_EQ(first.east, second.east) << yaml;
    EXPECT_EQ(first.north, second.north) << yaml;
    EXPECT_EQ(first.shift, second.shift) << yaml;
    EXPECT_NE(first.load == second.load && first.boundary == second.boundary, true) << yaml;
  }
  EXPECT_FALSE(pde_family("pde: {type: darcy, resolution: 12}")->fixed_matrix());
  EXPECT_FALSE(pde_family("pde: {type: heat, resolution: 12, conductivity: grf}")->fixed_matrix());
}

TEST(OperatorProperties, PetscAssemblySolvesTheReferenceStencil) {
  // The solution of the PETSc system zeroes the PETSc-free reference residual:
  // both assemblies describe the same operator, Dirichlet elimination included.
  for (const char* yaml : {"pde: {type: darcy, resolution: 14, coefficient: exp}",
                           "pde: {type: heat, resolution: 14, geometry: l_shape}"}) {
    const auto f = pde_family(yaml);
    const auto op = f->sample(3, 2).op;
    solve::GridSystem system(Environment::current().world(), 14);
    system.assemble_matrix(op);
    system.assemble_rhs(op);
    PetscOwner<KSP> ksp;
    OPFORGE_PETSC_CALL(KSPCreate(PETSC_COMM_WORLD, ksp.out()));
    OPFORGE_PETSC_CALL(KSPSetOperators(ksp, system.matrix(), system.matrix()));
    OPFORGE_PETSC_CALL(KSPSetTolerances(ksp, 1e-13, 1e-50, PETSC_DEFAULT, 10000));
    OPFORGE_PETSC_CALL(KSPSolve(ksp, system.rhs(), system.solution()));
    EXPECT_LT(system.true_relative_residual(), 1e-11);
    const auto u = system.gather_solution(op);
    if (Environment::current().world().rank() != 0) continue;
    const auto r = op.residual(u);
    double max_r = 0, max_load = 0;
    for (std::int64_t i = 1; i + 1 < op.s; ++i)
      for (std::int64_t j = 1; j + 1 < op.s; ++j) {
        max_r = std::max(max_r, std::abs(r(i, j)));
        if (!op.dirichlet[op.index(i, j)]) max_load = std::max(max_load, std::abs(op.rhs(i, j)));
      }
    EXPECT_LT(max_r, 1e-9 * std::max(1.0, max_load)) << yaml;
  }
}

TEST(OperatorProperties, SamplesAreReproducibleFromSeedAndIndex) {
  const auto a = pde_family("pde: {type: darcy, resolution: 20}");
  const auto b = pde_family("pde: {type: darcy, resolution: 20}");
  EXPECT_EQ(a->sample(9, 4).inputs[0].values, b->sample(9, 4).inputs[0].values);
  EXPECT_NE(a->sample(9, 4).inputs[0].values, a->sample(9, 5).inputs[0].values);
  EXPECT_NE(a->sample(9, 4).inputs[0].values, a->sample(10, 4).inputs[0].values);
}

}  // namespace
