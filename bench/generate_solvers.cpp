// Dataset generation cost per PDE family and standard PETSc solver.
//
//   build/bin/bench_generate_solvers [--sizes 64,128] [--samples 100] [--hard-samples 10]
//
// For each family at each size: N samples generated with GMRES(40) and (where
// the operator is SPD) CG, each with none/jacobi/sor/ilu/hypre/gamg, and with
// a direct solver (MUMPS LU). Prints a markdown table: total generation time,
// mean iterations, time per sample, samples that needed the direct fallback.
// Helmholtz (indefinite) iterative runs use --hard-samples samples, since most
// hit max_it. Runs on one rank (ILU/SOR are sequential preconditioners here).

#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_run.hpp"
#include "opforge/core/app.hpp"
#include "opforge/core/text.hpp"

namespace {

struct Run {
  std::string family, solver;
  long size = 0, samples = 0;
  opforge::generate::GenerationReport report;
  std::string error;
};

std::string config_for(const std::string& family, long size, long samples, const std::string& ksp,
                       const std::string& pc) {
  std::ostringstream yaml;
  yaml << "seed: 0\nnum_samples: " << samples << "\n"
       << "pde: {type: " << family << ", resolution: " << size << "}\n";
  if (ksp == "direct")
    yaml << "solver: {ksp_type: preonly, pc_type: lu, rtol: 1.0e-8}\n"
         << "petsc_options: {-pc_factor_mat_solver_type: mumps}\n";
  else
    yaml << "solver: {ksp_type: " << ksp << ", pc_type: " << pc << ", rtol: 1.0e-8, max_it: 10000, restart: 40}\n";
  yaml << "output: {path: /tmp/opforge_bench.h5, overwrite: true}\n";
  return yaml.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<long> sizes{64, 128};
  long samples = 100, hard_samples = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--sizes") {
      sizes.clear();
      for (const auto& part : opforge::split(value, ',')) sizes.push_back(std::stol(part));
    } else if (flag == "--samples") samples = std::stol(value);
    else if (flag == "--hard-samples") hard_samples = std::stol(value);
  }
  opforge::Environment env(argv[0], {});
  return opforge::run_guarded([&] {
    std::vector<Run> runs;
    const std::vector<std::string> pcs{"none", "jacobi", "sor", "ilu", "hypre", "gamg"};
    for (const std::string family : {"darcy", "poisson", "heat", "helmholtz"}) {
      const bool spd = family != "helmholtz";
      for (long size : sizes) {
        std::vector<std::pair<std::string, std::string>> solvers;
        for (const std::string ksp : {"gmres", "cg"}) {
          if (ksp == "cg" && !spd) continue;
          for (const auto& pc : pcs) solvers.emplace_back(ksp, pc);
        }
        solvers.emplace_back("direct", "mumps");
        for (const auto& [ksp, pc] : solvers) {
          const long n = (!spd && ksp != "direct") ? hard_samples : samples;
          Run run{family, ksp == "direct" ? "MUMPS LU" : ksp + (ksp == "gmres" ? "(40)" : "") + "+" + pc, size, n, {}};
          const auto outcome = opforge::bench::run_generation(env, config_for(family, size, n, ksp, pc));
          run.report = outcome.report;
          run.error = outcome.error;
          std::cerr << family << " s=" << size << " " << run.solver << ": "
                    << (run.error.empty() ? std::to_string(run.report.seconds) + " s" : "error: " + run.error) << "\n";
          runs.push_back(run);
        }
      }
    }
    if (env.world().rank() != 0) return 0;
    std::cout << "| family | s | unknowns | solver | samples | total s | mean iterations | ms / sample | solve ms / sample | fallbacks |\n"
              << "|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& run : runs) {
      const auto& r = run.report;
      if (!run.error.empty()) {
        std::cout << "| " << run.family << " | " << run.size << " | " << (run.size - 2) * (run.size - 2) << " | "
                  << run.solver << " | " << run.samples << " | failed: " << run.error << " | | | | |\n";
        continue;
      }
      std::cout << "| " << run.family << " | " << run.size << " | " << (run.size - 2) * (run.size - 2) << " | "
                << run.solver << " | " << run.samples << " | " << std::fixed << std::setprecision(2) << r.seconds
                << " | " << std::setprecision(1) << r.mean_iterations << " | " << std::setprecision(2)
                << 1e3 * r.seconds / double(run.samples) << " | " << 1e3 * r.solve_seconds / double(run.samples)
                << " | " << r.fallbacks << " |\n";
    }
    return 0;
  });
}
