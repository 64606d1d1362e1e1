#include <gtest/gtest.h>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/pde/pde_family.hpp"
#include "opforge/solve/sequence_solver.hpp"
#include "support/from_yaml.hpp"

namespace {

using namespace opforge;
using test_support::solver_options;

struct SequenceSolverTest : ::testing::Test {
  std::unique_ptr<pde::PdeFamily> darcy;
  void SetUp() override {
    darcy = test_support::pde_family("pde: {type: darcy, resolution: 24}");
  }
};

TEST_F(SequenceSolverTest, ConvergedSolveReportsTrueResidualBelowTolerance) {
  solve::GridSystem system(Environment::current().world(), 24);
  solve::SequenceSolver solver(Environment::current().world(),
                               solver_options("solver: {ksp_type: cg, pc_type: jacobi, rtol: 1.0e-9}"));
  for (std::int64_t i = 0; i < 3; ++i) {
    const auto op = darcy->sample(0, i).op;
    system.assemble_matrix(op);
    system.assemble_rhs(op);
    const auto record = solver.solve(system, true);
    EXPECT_TRUE(record.converged);
    EXPECT_FALSE(record.used_fallback);
    EXPECT_GT(record.reason, 0);
    EXPECT_GT(record.iterations, 5);
    EXPECT_LE(record.residual, 1e-8);
    EXPECT_DOUBLE_EQ(record.residual, system.true_relative_residual());
  }
  EXPECT_NE(solver.describe().find("cg+jacobi"), std::string::npos) << solver.describe();
}

TEST_F(SequenceSolverTest, FailedKrylovSolveFallsBackToDirectSolverAndIsFlagged) {
  solve::GridSystem system(Environment::current().world(), 24);
  solve::SequenceSolver solver(Environment::current().world(),
                               solver_options("solver: {ksp_type: gmres, pc_type: none, max_it: 1}"));
  const auto op = darcy->sample(0, 0).op;
  system.assemble_matrix(op);
  system.assemble_rhs(op);
  const auto record = solver.solve(system, true);
  EXPECT_EQ(record.iterations, 1);
  EXPECT_LT(record.reason, 0);  // KSP_DIVERGED_ITS
  EXPECT_TRUE(record.used_fallback);
  EXPECT_TRUE(record.converged);
  EXPECT_LT(record.residual, 1e-10);
}

TEST_F(SequenceSolverTest, WithoutFallbackAFailedSolveIsReportedNotConverged) {
  solve::GridSystem system(Environment::current().world(), 24);
  solve::SequenceSolver solver(Environment::current().world(),
                               solver_options("solver: {ksp_type: gmres, pc_type: none, max_it: 2, fallback: none}"));
  const auto op = darcy->sample(0, 0).op;
  system.assemble_matrix(op);
  system.assemble_rhs(op);
  const auto record = solver.solve(system, true);
  EXPECT_FALSE(record.converged);
  EXPECT_FALSE(record.used_fallback);
  EXPECT_GT(record.residual, 1e-3);
}

TEST_F(SequenceSolverTest, InitialGuessPreviousStartsFromTheLastSolution) {
  solve::GridSystem system(Environment::current().world(), 24);
  const auto op = darcy->sample(0, 0).op;
  system.assemble_matrix(op);
  system.assemble_rhs(op);
  for (const std::string guess : {"zero", "previous"}) {
    solve::SequenceSolver solver(Environment::current().world(),
                                 solver_options("solver: {ksp_type: cg, pc_type: jacobi, initial_guess: " + guess + "}"));
    system.clear_solution();
    const auto first = solver.solve(system, true);
    const auto again = solver.solve(system, false);  // same system: the previous solution already solves it
    ASSERT_TRUE(first.converged && again.converged) << guess;
    EXPECT_GT(first.iterations, 5) << guess;
    if (guess == "zero") EXPECT_EQ(again.iterations, first.iterations);
    else EXPECT_EQ(again.iterations, 0);
  }
  EXPECT_THROW(solver_options("solver: {initial_guess: neighbour}"), ConfigError);
}

// Options given after `--` or in `petsc_options:` win over the `solver:`
// section; the acceptance test, the log and the provenance all use what the
// KSP runs with. With the config's rtol (1e-8) as the bar, every solve stopped
// at 1e-4 used to fail acceptance and go to the direct fallback.
TEST_F(SequenceSolverTest, OptionsDatabaseToleranceIsTheOneAccepted) {
  auto& env = Environment::current();
  const auto inserted = env.insert_petsc_options({{"-ksp_rtol", "1e-4"}}, "test");
  solve::GridSystem system(env.world(), 24);
  solve::SequenceSolver solver(env.world(), solver_options("solver: {ksp_type: cg, pc_type: jacobi, rtol: 1.0e-8}"));
  EXPECT_DOUBLE_EQ(solver.settings().rtol, 1e-4);
  EXPECT_DOUBLE_EQ(solver.settings().acceptance_bound(), 10 * 1e-4);
  EXPECT_NE(solver.describe().find("rtol=0.0001"), std::string::npos) << solver.describe();
  const auto op = darcy->sample(0, 0).op;
  system.assemble_matrix(op);
  system.assemble_rhs(op);
  const auto record = solver.solve(system, true);
  EXPECT_TRUE(record.converged);
  EXPECT_FALSE(record.used_fallback);
  EXPECT_LE(record.residual, 1e-3);
  EXPECT_GT(record.residual, 1e-8);  // stopped at the options' tolerance, not the config's
}

TEST_F(SequenceSolverTest, SettingsReadBackTypeRestartAndIterationLimitFromOptions) {
  auto& env = Environment::current();
  {
    const auto inserted = env.insert_petsc_options(
        {{"-ksp_type", "fgmres"}, {"-ksp_gmres_restart", "17"}, {"-ksp_max_it", "321"}, {"-pc_type", "jacobi"}}, "test");
    solve::SequenceSolver solver(env.world(), solver_options("solver: {ksp_type: cg, restart: 40, max_it: 10}"));
    const auto settings = solver.settings();
    EXPECT_EQ(settings.ksp_type, "fgmres");
    EXPECT_EQ(settings.pc_type, "jacobi");
    EXPECT_EQ(settings.restart, 17);
    EXPECT_EQ(settings.max_it, 321);
    EXPECT_EQ(settings.recycle, 0);
  }
  {
    const auto inserted = env.insert_petsc_options({{"-ksp_gcrodr_m", "30"}, {"-ksp_gcrodr_k", "7"}}, "test");
    solve::SequenceSolver solver(env.world(), solver_options("solver: {ksp_type: gcrodr, restart: 40, recycle: 20}"));
    EXPECT_EQ(solver.settings().restart, 30);
    EXPECT_EQ(solver.settings().recycle, 7);
    EXPECT_NE(solver.describe().find("recycle=7"), std::string::npos) << solver.describe();
  }
  // A type without a restart reports none.
  solve::SequenceSolver cg(env.world(), solver_options("solver: {ksp_type: cg, pc_type: jacobi}"));
  EXPECT_EQ(cg.settings().restart, 0);
  EXPECT_EQ(cg.settings().fallback, "mumps");
}

TEST(SolverOptions, RejectsNonPositiveToleranceAndUnknownFallback) {
  EXPECT_THROW(solver_options("solver: {rtol: 0}"), ConfigError);
  EXPECT_THROW(solver_options("solver: {rtol: -1.0e-8}"), ConfigError);
  EXPECT_THROW(solver_options("solver: {fallback: cholmod}"), ConfigError);
  EXPECT_THROW(solver_options("solver: {max_it: 0}"), ConfigError);
}

}  // namespace
