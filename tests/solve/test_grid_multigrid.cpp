#include <gtest/gtest.h>
#include <petscksp.h>

#include <cmath>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/core/petsc_check.hpp"
#include "opforge/core/mpi_native.hpp"
#include "opforge/core/petsc_object.hpp"
#include "opforge/pde/pde_family.hpp"
#include "opforge/solve/grid_multigrid.hpp"
#include "opforge/solve/grid_system.hpp"
#include "opforge/solve/sequence_solver.hpp"
#include "support/direct_solve.hpp"
#include "support/from_yaml.hpp"

namespace {

using namespace opforge;
using solve::grid_hierarchy_sizes;
using solve::nested_interpolation_stencil;
using test_support::pde_family;
using test_support::solver_options;

TEST(GridHierarchy, HalvesInteriorNodesDownToAboutEightPerAxis) {
  EXPECT_EQ(grid_hierarchy_sizes(100, 0), (std::vector<std::int64_t>{100, 50, 25, 12, 6}));
  EXPECT_EQ(grid_hierarchy_sizes(129, 0), (std::vector<std::int64_t>{129, 64, 32, 16, 8}));
  EXPECT_EQ(grid_hierarchy_sizes(7, 0), (std::vector<std::int64_t>{7}));
}

TEST(GridHierarchy, HonoursRequestedDepthAndMinimumSize) {
  EXPECT_EQ(grid_hierarchy_sizes(100, 3), (std::vector<std::int64_t>{100, 50, 25}));
  EXPECT_EQ(grid_hierarchy_sizes(100, 20), (std::vector<std::int64_t>{100, 50, 25, 12, 6}));
  EXPECT_EQ(grid_hierarchy_sizes(100, 0, 12), (std::vector<std::int64_t>{100, 50, 25, 12}));
}

TEST(NestedInterpolation, InjectsAtCoarseNodesAndAveragesBetweenThem) {
  for (std::int64_t i = 0; i < 31; ++i) {
    const auto stencil = nested_interpolation_stencil(i);
    if (i % 2 == 1) {  // on a coarse node, exactly
      EXPECT_EQ(stencil.left, (i - 1) / 2);
      EXPECT_EQ(stencil.left_weight, 1.0);
      EXPECT_EQ(stencil.right_weight, 0.0);
    } else {
      EXPECT_EQ(stencil.left, i / 2 - 1);
      EXPECT_EQ(stencil.left_weight, 0.5);
      EXPECT_EQ(stencil.right_weight, 0.5);
    }
  }
}

TEST(NestedInterpolation, ReproducesLinearFunctionsForOddAndEvenNodeCounts) {
  // Coarse node I sits on fine node 2I + 1; the boundaries are fine nodes -1
  // and `fine`. An even count leaves a half-width coarse cell at the far end.
  for (const std::int64_t fine : {100, 101, 24, 11, 4}) {
    const std::int64_t coarse = solve::coarser_grid_size(fine);
    auto x = [&](std::int64_t fine_node) { return double(fine_node + 1) / double(fine + 1); };
    auto coarse_x = [&](std::int64_t I) { return I < coarse ? x(2 * I + 1) : x(fine); };  // I = -1 gives x = 0
    for (std::int64_t i = 0; i < fine; ++i) {
      const auto s = nested_interpolation_stencil(i);
      ASSERT_GE(s.left, -1);
      ASSERT_LE(s.left, coarse - 1);
      EXPECT_EQ(s.left_weight + s.right_weight, 1.0);
      EXPECT_NEAR(s.left_weight * coarse_x(s.left) + s.right_weight * coarse_x(s.left + 1), x(i), 1e-15)
          << "fine " << fine << " node " << i;
    }
  }
}

struct GridMultigridTest : ::testing::TestWithParam<std::int64_t> {};

// CG + geometric multigrid along a sequence of Darcy systems (matrix
// reassembled in place each time): every solve reaches the true residual in
// a handful of iterations, at every rank count, and matches a direct solve.
TEST_P(GridMultigridTest, CgWithGridMultigridSolvesDarcySequenceInFewIterations) {
  const std::int64_t s = GetParam();
  const auto darcy = pde_family("pde: {type: darcy, resolution: " + std::to_string(s) + "}");
  const Communicator& world = Environment::current().world();
  solve::GridSystem system(world, s);
  solve::SequenceSolver multigrid(world,
                                  solver_options("solver: {ksp_type: cg, pc_type: mg, rtol: 1.0e-8, fallback: none}"));
  PetscOwner<Vec> reference;
  OPFORGE_PETSC_CALL(VecDuplicate(system.solution(), reference.out()));
  for (std::int64_t index = 0; index < 3; ++index) {
    const auto op = darcy->sample(7, index).op;
    system.assemble_matrix(op);
    system.assemble_rhs(op);
    test_support::solve_directly(system);
    ASSERT_LT(system.true_relative_residual(), 1e-10);
    OPFORGE_PETSC_CALL(VecCopy(system.solution(), reference));
    system.clear_solution();
    const auto record = multigrid.solve(system, true);
    EXPECT_TRUE(record.converged);
    EXPECT_LE(record.residual, 1e-8);
    EXPECT_LE(record.iterations, 10) << "sample " << index;
    PetscReal difference = 0, size = 0;
    OPFORGE_PETSC_CALL(VecAXPY(reference, -1.0, system.solution()));
    OPFORGE_PETSC_CALL(VecNorm(reference, NORM_INFINITY, &difference));
    OPFORGE_PETSC_CALL(VecNorm(system.solution(), NORM_INFINITY, &size));
    EXPECT_LT(difference, 1e-6 * size);
  }
  EXPECT_NE(multigrid.describe().find("cg+mg"), std::string::npos);
}

// Even interior count (a half-width coarse cell at the far boundary) and odd.
INSTANTIATE_TEST_SUITE_P(Resolutions, GridMultigridTest, ::testing::Values(std::int64_t{66}, std::int64_t{67}));

// Indefinite Helmholtz: GMRES with the grid hierarchy, whose coarsest grid
// keeps eight points per wavelength, converges on the true residual.
TEST(GridMultigrid, GmresWithGridMultigridSolvesIndefiniteHelmholtz) {
  const auto helmholtz = pde_family("pde: {type: helmholtz, resolution: 102}");
  const Communicator& world = Environment::current().world();
  solve::GridSystem system(world, 102, helmholtz->coarsest_grid_nodes());  // 49: levels of 100 and 49 nodes per axis
  solve::SequenceSolver solver(world, solver_options("solver: {ksp_type: gmres, pc_type: mg, fallback: none}"));
  for (std::int64_t index = 0; index < 2; ++index) {
    const auto op = helmholtz->sample(0, index).op;
    system.assemble_matrix(op);
    system.assemble_rhs(op);
    const auto record = solver.solve(system, true);
    EXPECT_TRUE(record.converged) << "sample " << index << ": residual " << record.residual;
    EXPECT_LE(record.residual, 1e-8);
    EXPECT_LE(record.iterations, 25) << "sample " << index;
  }
}

TEST(GridMultigrid, LevelCountFollowsPcMgLevelsOption) {
  const Communicator& world = Environment::current().world();
  const auto op = pde_family("pde: {type: poisson, resolution: 66}")->sample(0, 0).op;
  solve::GridSystem system(world, 66);
  system.assemble_matrix(op);
  OPFORGE_PETSC_CALL(PetscOptionsSetValue(nullptr, "-gmgtest_pc_mg_levels", "3"));
  PetscOwner<KSP> ksp;
  OPFORGE_PETSC_CALL(KSPCreate(native(world), ksp.out()));
  OPFORGE_PETSC_CALL(KSPSetOptionsPrefix(ksp, "gmgtest_"));
  OPFORGE_PETSC_CALL(KSPSetOperators(ksp, system.matrix(), system.matrix()));
  PC pc;
  OPFORGE_PETSC_CALL(KSPGetPC(ksp, &pc));
  OPFORGE_PETSC_CALL(PCSetType(pc, PCMG));
  OPFORGE_PETSC_CALL(KSPSetFromOptions(ksp));
  EXPECT_TRUE(solve::is_multigrid(pc));
  solve::setup_grid_multigrid(pc, system);
  PetscInt levels = 0;
  OPFORGE_PETSC_CALL(PCMGGetLevels(pc, &levels));
  EXPECT_EQ(levels, 3);
  OPFORGE_PETSC_CALL(KSPSetUp(ksp));
  Mat coarse;  // 64 -> 32 -> 16 interior nodes per axis
  KSP coarse_solve;
  OPFORGE_PETSC_CALL(PCMGGetCoarseSolve(pc, &coarse_solve));
  OPFORGE_PETSC_CALL(KSPGetOperators(coarse_solve, &coarse, nullptr));
  PetscInt rows = 0;
  OPFORGE_PETSC_CALL(MatGetSize(coarse, &rows, nullptr));
  EXPECT_EQ(rows, 16 * 16);
  OPFORGE_PETSC_CALL(PetscOptionsClearValue(nullptr, "-gmgtest_pc_mg_levels"));
}

}  // namespace
