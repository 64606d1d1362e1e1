#include <gtest/gtest.h>

#include <cmath>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/generate/generator.hpp"
#include "opforge/io/dataset_reader.hpp"
#include "opforge/pde/pde_family.hpp"
#include "opforge/solve/grid_system.hpp"
#include "support/direct_solve.hpp"
#include "support/rank_count.hpp"

namespace {

using namespace opforge;

const Communicator& world() { return Environment::current().world(); }

/// Reference solution of one sample: a direct solve on this process alone.
pde::Field2D reference_solution(const pde::EllipticOperator& op) {
  solve::GridSystem system(Communicator::self(), op.s);
  system.assemble_matrix(op);
  system.assemble_rhs(op);
  opforge::test_support::solve_directly(system);
  return system.gather_solution(op);
}

/// Generate with `yaml` (+ overrides), then check every sample against an
/// independent serial computation: inputs bitwise, outputs to solver tolerance.
void generate_and_verify(const std::string& yaml, const std::vector<std::string>& overrides) {
  auto doc = config::Document::parse(yaml, "generate.yaml");
  doc.apply_overrides(overrides);
  const auto report = generate::generate_dataset(Environment::current(), doc);
  EXPECT_EQ(report.failures, 0);
  EXPECT_EQ(report.fallbacks, 0);

  const auto pde_doc = config::Document::parse(yaml, "generate.yaml");
  auto family = pde::make_pde_family(pde_doc.root().section("pde"));
  const io::DatasetReader reader(report.output_path);
  const auto& layout = reader.layout();
  EXPECT_EQ(layout.input_channels, family->input_channels());
  const std::int64_t s = family->resolution();
  std::vector<double> input(static_cast<std::size_t>(layout.input_sample_size()));
  std::vector<double> output(static_cast<std::size_t>(layout.output_sample_size()));
  const auto seeds = reader.read_meta("seed");
  const auto converged = reader.read_meta("converged");
  // The report's mean is the mean of the iterations recorded per sample, and
  // each sample took at least one Krylov iteration (no solution is 0 here).
  const auto iterations = reader.read_meta("iterations");
  double iteration_sum = 0;
  for (const double count : iterations) {
    EXPECT_GE(count, 1.0);
    iteration_sum += count;
  }
  EXPECT_NEAR(report.mean_iterations, iteration_sum / double(iterations.size()), 1e-12 * iteration_sum);
  for (std::int64_t i = 0; i < layout.num_samples; ++i) {
    const auto sample = family->sample(7, i);
    reader.read_inputs({i}, input.data());
    reader.read_outputs({i}, output.data());
    for (std::size_t c = 0; c < sample.inputs.size(); ++c)
      for (std::int64_t k = 0; k < s * s; ++k)
        ASSERT_EQ(input[c * s * s + k], sample.inputs[c].values[k]) << "sample " << i << " channel " << c;
    const auto reference = reference_solution(sample.op);
    double error = 0, scale = 0;
    for (std::int64_t k = 0; k < s * s; ++k) {
      error = std::max(error, std::abs(output[k] - reference.values[k]));
      scale = std::max(scale, std::abs(reference.values[k]));
    }
    EXPECT_LT(error, 1e-7 * scale) << "sample " << i;
    EXPECT_EQ(seeds[i], 7.0);
    EXPECT_EQ(converged[i], 1.0);
  }
}

std::string out(const std::string& name) { return name + test_support::rank_count_suffix() + ".h5"; }

constexpr const char* darcy_yaml = R"(seed: 7
num_samples: 7
pde: {type: darcy, resolution: 17}
solver: {ksp_type: cg, pc_type: jacobi, rtol: 1.0e-11}
output: {value_type: float64, overwrite: true}
)";

TEST(Generate, OneRankPerSolveMatchesSerialSolvesAtAnyRankCount) {
  generate_and_verify(darcy_yaml, {"output.path=" + out("gen_darcy_groups")});
}

TEST(Generate, AllRanksInOneSolveMatchSerialSolves) {
  generate_and_verify(darcy_yaml, {"output.path=" + out("gen_darcy_shared"),
                                   "ranks_per_solve=" + std::to_string(world().size())});
}

TEST(Generate, SortedRecyclingSolvesGiveTheSameDatasetAtAnyRankCount) {
  generate_and_verify(darcy_yaml, {"output.path=" + out("gen_darcy_skr"), "order=greedy", "solver.ksp_type=gcrodr",
                                   "solver.restart=30", "solver.recycle=10"});
}

TEST(Generate, FixedMatrixFamiliesReuseTheOperatorAndMatchSerialSolves) {
  const std::string heat = R"(seed: 7
num_samples: 5
pde: {type: heat, resolution: 19, geometry: l_shape}
solver: {ksp_type: cg, pc_type: jacobi, rtol: 1.0e-11}
output: {value_type: float64, overwrite: true}
)";
  generate_and_verify(heat, {"output.path=" + out("gen_heat")});
  const std::string poisson = R"(seed: 7
num_samples: 5
pde: {type: poisson, resolution: 19}
solver: {ksp_type: cg, pc_type: jacobi, rtol: 1.0e-11}
output: {value_type: float64, overwrite: true}
)";
  generate_and_verify(poisson, {"output.path=" + out("gen_poisson")});
}

TEST(Generate, SolverAutoPicksCgOrGmresWithGridMultigridByOperatorKind) {
  // SPD with a new matrix per sample; SPD with a fixed matrix (two); indefinite.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"darcy", "cg+mg "}, {"poisson", "cg+mg "}, {"heat", "cg+mg "}, {"helmholtz", "gmres+mg "}};
  for (const auto& [family, expected] : cases) {
    auto doc = config::Document::parse("num_samples: 3\npde: {type: " + family +
                                           ", resolution: 24}\nsolver: auto\noutput: {overwrite: true}\n",
                                       "generate.yaml");
    doc.apply_override("output.path=" + out("gen_auto_" + family));
    const auto report = generate::generate_dataset(Environment::current(), doc);
    EXPECT_EQ(report.solver.rfind(expected, 0), 0u) << family << ": " << report.solver;
    EXPECT_EQ(report.failures, 0) << family;
    EXPECT_EQ(report.fallbacks, 0) << family;
  }
  auto bad = config::Document::parse("pde: {type: darcy, resolution: 8}\nsolver: fastest\n", "generate.yaml");
  try {
    generate::generate_dataset(Environment::current(), bad);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("solver: 'fastest' is not one of: auto"), std::string::npos) << e.what();
  }
}

TEST(Generate, ExistingOutputIsKeptUnlessOverwriteIsSet) {
  const std::string path = out("gen_keep");
  auto first = config::Document::parse(darcy_yaml, "generate.yaml");
  first.apply_overrides({"output.path=" + path, "num_samples=2"});
  generate::generate_dataset(Environment::current(), first);
  auto second = config::Document::parse(darcy_yaml, "generate.yaml");
  second.apply_overrides({"output.path=" + path, "num_samples=2", "output.overwrite=false"});
  try {
    generate::generate_dataset(Environment::current(), second);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("exists; set output.overwrite: true"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

TEST(Generate, PetscOptionsOfOneRunDoNotLeakIntoTheNext) {
  // A MUMPS option from a direct-solver run once made a later ILU run fail
  // ("mumps does not support factorization type ILU").
  auto direct = config::Document::parse(R"(num_samples: 2
pde: {type: darcy, resolution: 12}
solver: {ksp_type: preonly, pc_type: lu}
petsc_options: {-pc_factor_mat_solver_type: mumps}
output: {overwrite: true}
)", "direct.yaml");
  direct.apply_override("output.path=" + out("gen_leak_direct"));
  EXPECT_EQ(generate::generate_dataset(Environment::current(), direct).failures, 0);
  auto ilu = config::Document::parse(R"(num_samples: 2
pde: {type: darcy, resolution: 12}
solver: {ksp_type: gmres, pc_type: ilu, fallback: none}
output: {overwrite: true}
)", "ilu.yaml");
  ilu.apply_override("output.path=" + out("gen_leak_ilu"));
  const auto report = generate::generate_dataset(Environment::current(), ilu);
  EXPECT_EQ(report.failures, 0);
  EXPECT_NE(report.solver.find("gmres+ilu"), std::string::npos) << report.solver;
}

}  // namespace
