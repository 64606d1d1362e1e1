// The strategies `solver: auto` chooses between, on the same samples.
//
//   build/bin/bench_solver_auto [--sizes 102,202] [--samples 100] [--hard-samples 5]
//                               [--families darcy,poisson,heat,helmholtz]
//
// Per family and size, one rank, rtol 1e-8 on the true residual: the
// standard fresh-per-system solver (CG + BoomerAMG; MUMPS for indefinite
// Helmholtz), GAMG with its interpolation reused along the sequence, CG (or
// GMRES when indefinite) with the grid multigrid hierarchy (built once,
// Galerkin coarse operators per system), SKR on top of it (GCRO-DR + grid MG
// along the greedy order), the paper's SKR (GCRO-DR(40, 20) + ILU along the
// greedy order), MUMPS LU, and `solver: auto`. Prints ms per sample (whole generation and solve only) and
// the ratio of each to the standard solver's whole generation time.

#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_run.hpp"
#include "opforge/core/app.hpp"
#include "opforge/core/text.hpp"

namespace {

struct Strategy {
  std::string name;
  std::string yaml;  ///< solver:, order: and petsc_options: lines
  enum class Families { all, spd, indefinite } families = Families::all;
  bool hard = false;  ///< slow on indefinite problems: run --hard-samples there
};

const std::vector<Strategy>& strategies() {
  using F = Strategy::Families;
  static const std::vector<Strategy> list{
      {"CG + BoomerAMG, fresh per system", "solver: {ksp_type: cg, pc_type: hypre}\n", F::spd},
      {"CG + GAMG, interpolation reused", "solver: {ksp_type: cg, pc_type: gamg}\n"
                                          "petsc_options: {-pc_gamg_reuse_interpolation: true}\n",
       F::spd},
      {"CG + grid MG (hierarchy reused)", "solver: {ksp_type: cg, pc_type: mg}\n", F::spd},
      {"GMRES(40) + grid MG (hierarchy reused)", "solver: {ksp_type: gmres, pc_type: mg}\n", F::indefinite},
      {"SKR: GCRO-DR(40,20) + grid MG, greedy", "solver: {ksp_type: gcrodr, pc_type: mg}\norder: greedy\n"},
      {"SKR: GCRO-DR(40,2) + grid MG, greedy",
       "solver: {ksp_type: gcrodr, recycle: 2, pc_type: mg}\norder: greedy\n", F::indefinite},
      {"SKR: GCRO-DR(40,20) + ILU, greedy", "solver: {ksp_type: gcrodr, pc_type: ilu, fallback: none}\norder: greedy\n",
       F::all, true},
      {"MUMPS LU", "solver: {ksp_type: preonly, pc_type: lu, factor_package: mumps}\n"},
      {"solver: auto", "solver: auto\n"},
  };
  return list;
}

struct Row {
  std::string family, strategy;
  long size = 0, samples = 0;
  opforge::bench::Outcome outcome;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<long> sizes{102, 202};
  std::vector<std::string> families{"darcy", "poisson", "heat", "helmholtz"};
  long samples = 100, hard_samples = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--sizes") {
      sizes.clear();
      for (const auto& part : opforge::split(value, ',')) sizes.push_back(std::stol(part));
    } else if (flag == "--families") families = opforge::split(value, ',');
    else if (flag == "--samples") samples = std::stol(value);
    else if (flag == "--hard-samples") hard_samples = std::stol(value);
  }
  opforge::Environment env(argv[0], {});
  return opforge::run_guarded([&] {
    std::vector<Row> rows;
    for (const auto& family : families) {
      const bool spd = family != "helmholtz";
      for (long size : sizes)
        for (const auto& strategy : strategies()) {
          if ((strategy.families == Strategy::Families::spd && !spd) ||
              (strategy.families == Strategy::Families::indefinite && spd))
            continue;
          Row row{family, strategy.name, size, (!spd && strategy.hard) ? hard_samples : samples, {}};
          std::ostringstream yaml;
          yaml << "seed: 0\nnum_samples: " << row.samples << "\npde: {type: " << family << ", resolution: " << size
               << "}\n"
               << strategy.yaml << "output: {path: /tmp/opforge_bench_auto.h5, overwrite: true}\n";
          row.outcome = opforge::bench::run_generation(env, yaml.str());
          std::cerr << family << " s=" << size << " " << strategy.name << ": "
                    << (row.outcome.error.empty() ? std::to_string(row.outcome.report.seconds) + " s"
                                                  : row.outcome.error)
                    << " [" << row.outcome.report.solver << "]\n";
          rows.push_back(std::move(row));
        }
    }
    if (env.world().rank() != 0) return 0;
    std::cout << "| family | n | strategy | samples | ms / sample | solve ms / sample | mean iterations | fallbacks "
                 "| vs standard |\n|---|---|---|---|---|---|---|---|---|\n";
    auto per_sample_ms = [](const Row& row) { return 1e3 * row.outcome.report.seconds / double(row.samples); };
    auto is_standard = [](const Row& row) {
      return row.strategy == (row.family == "helmholtz" ? "MUMPS LU" : strategies().front().name);
    };
    for (const auto& row : rows) {
      const auto& r = row.outcome.report;
      const double per_sample = per_sample_ms(row);
      double standard = 0.0;
      for (const auto& other : rows)
        if (other.family == row.family && other.size == row.size && is_standard(other)) standard = per_sample_ms(other);
      std::cout << "| " << row.family << " | " << (row.size - 2) * (row.size - 2) << " | " << row.strategy;
      if (!row.outcome.error.empty()) {
        std::cout << " | " << row.samples << " | failed: " << row.outcome.error << " | | | | |\n";
        continue;
      }
      std::cout << (row.strategy == "solver: auto" ? " (" + r.solver.substr(0, r.solver.find(' ')) + ")" : "")
                << " | " << row.samples << " | " << std::fixed << std::setprecision(2) << per_sample << " | "
                << 1e3 * r.solve_seconds / double(row.samples) << " | " << std::setprecision(1) << r.mean_iterations
                << " | " << r.fallbacks << " | " << std::setprecision(2) << standard / per_sample << "× |\n";
    }
    return 0;
  });
}
