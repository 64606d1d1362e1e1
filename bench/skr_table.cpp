// SKR against GMRES(40), in the layout of Table 1 of Wang et al. (ICLR 2024).
//
//   build/bin/bench_skr_table [--samples 100] [--hard-samples 20] [--sizes 82,102] [--families darcy,helmholtz]
//                             [--pcs none,jacobi,sor,ilu,icc] [--rtols 1e-2,1e-5,1e-8] [--recycle K]
//
// For darcy and helmholtz at n = (s-2)^2 unknowns (82 -> 6400, 102 -> 10^4),
// tolerances 1e-2, 1e-5, 1e-8 (helmholtz: 1e-7 as in the paper), and the
// preconditioners none, jacobi, sor, ilu, icc (SPD families only), the same
// systems are solved by
//   GMRES(40) in natural order, GCRO-DR(40, k) in natural order, and
//   SKR = GCRO-DR(40, k) along the greedy sort (k = --recycle, default the
//   family's: 10 for SPD darcy, 20 for helmholtz),
// with no fallback and max_it 10^4 (as the paper). One rank: in serial,
// bjacobi and asm reduce to ilu, so they are not separate columns here.
// Prints cells "time speedup / iteration speedup" of SKR over GMRES(40), then
// the raw times and iterations, including GCRO-DR without sorting.

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "bench_run.hpp"
#include "opforge/core/app.hpp"
#include "opforge/core/text.hpp"
#include "opforge/pde/pde_family.hpp"

namespace {

std::string yaml(const std::string& family, long s, long n, double rtol, const std::string& ksp,
                 const std::string& pc, const std::string& order, long recycle) {
  std::ostringstream out;
  out << "seed: 0\nnum_samples: " << n << "\norder: " << order << "\n"
      << "pde: {type: " << family << ", resolution: " << s << "}\n"
      << "solver: {ksp_type: " << ksp << ", pc_type: " << pc << ", rtol: " << rtol
      << ", max_it: 10000, restart: 40, " << (recycle > 0 ? "recycle: " + std::to_string(recycle) + ", " : "")
      << "fallback: none, accept_factor: 10}\n"
      << "output: {path: /tmp/opforge_bench_skr.h5, overwrite: true}\n";
  return out.str();
}

struct Cell {
  double seconds = 0, iterations = 0;
  long failures = 0;
  std::string error;
};

/// Asked of the family (its defaults), so a new SPD family gets the ICC
/// column and the SPD tolerances without an edit here.
bool positive_definite(const std::string& family) {
  const auto document = opforge::config::Document::parse("pde: {type: " + family + "}\n", "bench.yaml");
  return opforge::pde::make_pde_family(document.root().section("pde"))->positive_definite();
}

std::string format(double value, int precision) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(precision) << value;
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  long samples = 100, hard_samples = 20, recycle = 0;  // 0: the family's default
  std::vector<long> sizes{82, 102};
  std::vector<std::string> families{"darcy", "helmholtz"};
  std::vector<std::string> only_pcs;  // empty: every column
  std::vector<double> only_rtols;     // empty: the family's three
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--samples") samples = std::stol(value);
    else if (flag == "--hard-samples") hard_samples = std::stol(value);
    else if (flag == "--families") families = opforge::split(value, ',');
    else if (flag == "--pcs") only_pcs = opforge::split(value, ',');
    else if (flag == "--recycle") recycle = std::stol(value);
    else if (flag == "--rtols") {
      for (const auto& part : opforge::split(value, ',')) only_rtols.push_back(std::stod(part));
    }
    else if (flag == "--sizes") {
      sizes.clear();
      for (const auto& part : opforge::split(value, ',')) sizes.push_back(std::stol(part));
    }
  }
  opforge::Environment env(argv[0], {});
  return opforge::run_guarded([&] {
    struct Row {
      std::string family;
      long size, n;
      double rtol;
      std::map<std::string, std::map<std::string, Cell>> cells;  // pc -> solver -> cell
    };
    std::vector<Row> rows;
    const std::vector<std::string> solvers{"GMRES(40)", "GCRO-DR", "SKR"};
    for (const std::string& family : families) {
      const bool spd = positive_definite(family);
      const std::vector<double> tolerances = !only_rtols.empty() ? only_rtols
                                             : spd ? std::vector<double>{1e-2, 1e-5, 1e-8}
                                                   : std::vector<double>{1e-2, 1e-5, 1e-7};
      std::vector<std::string> pcs{"none", "jacobi", "sor", "ilu"};
      if (spd) pcs.push_back("icc");
      if (!only_pcs.empty())
        pcs.erase(std::remove_if(pcs.begin(), pcs.end(),
                                 [&](const std::string& pc) {
                                   return std::find(only_pcs.begin(), only_pcs.end(), pc) == only_pcs.end();
                                 }),
                  pcs.end());
      for (long s : sizes)
        for (double rtol : tolerances) {
          Row row{family, s, spd ? samples : hard_samples, rtol, {}};
          for (const auto& pc : pcs)
            for (const auto& solver : solvers) {
              const std::string ksp = solver == "GMRES(40)" ? "gmres" : "gcrodr";
              const std::string order = solver == "SKR" ? "greedy" : "natural";
              const auto outcome = opforge::bench::run_generation(env, yaml(family, s, row.n, rtol, ksp, pc, order, recycle));
              Cell cell;
              cell.error = outcome.error;
              cell.seconds = outcome.report.solve_seconds + outcome.report.order_seconds;
              cell.iterations = outcome.report.mean_iterations;
              cell.failures = outcome.report.failures;
              row.cells[pc][solver] = cell;
              std::cerr << family << " n=" << (s - 2) * (s - 2) << " tol=" << rtol << " " << pc << " " << solver
                        << ": " << (cell.error.empty() ? format(cell.seconds, 2) + " s, " + format(cell.iterations, 1) + " its, " + std::to_string(cell.failures) + " unconverged" : cell.error)
                        << "\n";
            }
          rows.push_back(row);
        }
    }
    if (env.world().rank() != 0) return 0;
    std::cout << "### SKR over GMRES(40): time speedup / iteration speedup\n\n"
              << "| dataset (n) | systems | tol | none | jacobi | sor | ilu | icc |\n|---|---|---|---|---|---|---|---|\n";
    for (const auto& row : rows) {
      std::cout << "| " << row.family << " " << (row.size - 2) * (row.size - 2) << " | " << row.n << " | "
                << row.rtol << " |";
      for (const std::string pc : {"none", "jacobi", "sor", "ilu", "icc"}) {
        const auto it = row.cells.find(pc);
        if (it == row.cells.end()) {
          std::cout << " – |";
          continue;
        }
        const Cell& g = it->second.at("GMRES(40)");
        const Cell& k = it->second.at("SKR");
        if (!g.error.empty() || !k.error.empty()) {
          std::cout << " error |";
          continue;
        }
        std::cout << " " << format(g.seconds / k.seconds, 2) << " / " << format(g.iterations / k.iterations, 1) << " |";
      }
      std::cout << "\n";
    }
    std::cout << "\n### Raw: seconds (solve + sort) / mean iterations / unconverged, per solver\n\n"
              << "| dataset (n) | tol | pc | GMRES(40) | GCRO-DR unsorted | SKR (greedy + GCRO-DR) |\n|---|---|---|---|---|---|\n";
    for (const auto& row : rows)
      for (const auto& [pc, by_solver] : row.cells) {
        std::cout << "| " << row.family << " " << (row.size - 2) * (row.size - 2) << " | " << row.rtol << " | " << pc
                  << " |";
        for (const auto& solver : solvers) {
          const Cell& c = by_solver.at(solver);
          if (!c.error.empty()) std::cout << " error: " << c.error << " |";
          else std::cout << " " << format(c.seconds, 2) << " s / " << format(c.iterations, 1) << " / " << c.failures << " |";
        }
        std::cout << "\n";
      }
    return 0;
  });
}
