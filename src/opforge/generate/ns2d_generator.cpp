// Generation of ns2d trajectory datasets (the FNO Navier–Stokes benchmark):
// each rank simulates its share of the samples (i = rank mod P) with its own
// pseudo-spectral solver; sample i depends on (seed, i) alone, so the dataset
// is the same at any rank count and resumable like every other.

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/progress.hpp"
#include "opforge/core/stop_request.hpp"
#include "opforge/generate/generator.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/pde/ns2d.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::generate {
namespace {

io::DatasetLayout dataset_layout(const pde::Ns2dOptions& ns, const GenerateOptions& options) {
  const std::int64_t m = ns.stored_resolution;
  io::DatasetLayout layout;
  layout.num_samples = options.num_samples;
  layout.input_channels = {"vorticity"};
  layout.output_channels = {"vorticity"};
  layout.spatial_shape = {m, m};
  layout.time_steps = ns.frames();
  for (std::int64_t k = 1; k <= ns.frames(); ++k) layout.times.push_back(double(k) * ns.frame_interval);
  layout.coordinates.assign(2, io::linspace(0.0, double(m - 1) / double(m), m));
  layout.value_type = options.value_type;
  layout.meta = {{"seed", io::MetaType::int64, "global seed: sample i's initial vorticity is a function of (seed, i)"},
                 {"enstrophy", io::MetaType::float64, "enstrophy <w^2>/2 of the initial vorticity"},
                 {"final_enstrophy", io::MetaType::float64, "enstrophy of the last frame"},
                 {"max_cfl", io::MetaType::float64, "largest advective CFL number of the trajectory's steps"},
                 {"time_steps", io::MetaType::int64, "time steps from the initial field to the last frame"},
                 {"solve_seconds", io::MetaType::float64, "wall time of the simulation"}};
  return layout;
}

std::string describe_flow(const pde::Ns2dOptions& ns) {
  std::ostringstream text;
  text << "ns2d s=" << ns.resolution << " stored=" << ns.stored_resolution << " nu=" << ns.viscosity
       << " dt=" << ns.time_step << " T=" << ns.final_time << " frames=" << ns.frames() << "x" << ns.frame_interval
       << " forcing=" << ns.forcing_amplitude << " grf(alpha=" << ns.alpha << ", tau=" << ns.tau
       << ", sigma=" << ns.sigma << ", " << ns.normalisation << ")";
  return text.str();
}

struct SimulationTotals {
  double seconds = 0.0;
  std::int64_t steps = 0;
  bool stopped = false;  ///< a stop signal ended the loop early
};

/// Simulates and writes this rank's trajectories; SIGTERM/SIGUSR1 stop
/// after the trajectory in hand.
SimulationTotals simulate(const pde::Ns2dOptions& ns, std::int64_t seed, const std::vector<std::int64_t>& mine,
                          io::DatasetWriter& writer) {
  pde::Ns2dSolver solver(ns);
  const auto field = static_cast<std::size_t>(ns.stored_resolution * ns.stored_resolution);
  std::vector<double> output(field * static_cast<std::size_t>(ns.frames()));
  SimulationTotals totals;
  Progress progress("generate", static_cast<std::int64_t>(mine.size()));
  const StopSignalHandlers stop_handlers;
  for (const std::int64_t index : mine) {
    if ((totals.stopped = stop_requested())) break;
    const double start = MPI_Wtime();
    solver.set_vorticity(pde::initial_vorticity(ns, pde::sample_seed(static_cast<std::uint64_t>(seed), index)));
    const double enstrophy = solver.statistics().enstrophy;
    const std::vector<double> input = solver.vorticity_at(ns.stored_resolution);
    for (std::int64_t k = 0; k < ns.frames(); ++k) {
      solver.advance(ns.frame_interval);
      const auto frame = solver.vorticity_at(ns.stored_resolution);
      std::copy(frame.begin(), frame.end(), output.begin() + static_cast<long>(k * static_cast<std::int64_t>(field)));
    }
    const double seconds = MPI_Wtime() - start;
    const pde::VorticityStatistics last = solver.statistics();
    totals.seconds += seconds;
    totals.steps += solver.steps();
    writer.write_sample(index, input.data(), output.data(),
                        {{"seed", seed},
                         {"enstrophy", enstrophy},
                         {"final_enstrophy", last.enstrophy},
                         {"max_cfl", last.max_cfl},
                         {"time_steps", solver.steps()},
                         {"solve_seconds", seconds}});
    progress.advance();
  }
  progress.finish();
  return totals;
}

class Ns2dGenerator final : public DatasetGenerator {
public:
  GenerationReport generate(Environment& env, const config::Document& document) const override {
    const double start = MPI_Wtime();
    const Communicator& world = env.world();
    const config::Section root = document.root();
    const config::Section pde_section = root.section("pde");
    pde_section.choice("type", {"ns2d"});
    const pde::Ns2dOptions ns = pde::Ns2dOptions::parse(pde_section);
    const GenerateOptions options = parse_generate_options(root, "ns2d");
    document.finish();
    check_output_absent(world, root, options);

    io::Provenance provenance;
    provenance.attributes = {{"pde_type", "ns2d"},
                             {"pde", describe_flow(ns)},
                             {"solver",
                              "pseudo-spectral (FFTW), 2/3 dealiased; explicit Euler advection and forcing, "
                              "Crank-Nicolson diffusion; frames by spectral truncation"},
                             {"seed", std::to_string(options.seed)}};
    provenance.config_yaml = document.resolved_yaml();
    io::DatasetWriter writer(world, options.output_path, dataset_layout(ns, options), provenance,
                             resume_options(options));
    if (!writer.resume_note().empty()) logger().warning(writer.resume_note());
    std::vector<std::int64_t> mine;
    for (std::int64_t i = world.rank(); i < options.num_samples; i += world.size())
      if (!writer.kept()[static_cast<std::size_t>(i)]) mine.push_back(i);
    logger().info("generate: ", options.num_samples, " trajectories of ", describe_flow(ns), " on ", world.size(),
                  " rank(s)", writer.kept_count() ? "; " + std::to_string(writer.kept_count()) + " kept" : std::string());

    const SimulationTotals totals = simulate(ns, options.seed, mine, writer);
    GenerationReport report;
    finish_or_suspend(world, writer, totals.stopped, report);
    report.output_path = options.output_path;
    report.samples = options.num_samples;
    report.kept = writer.kept_count();
    report.solver = provenance.attributes.at("solver");
    report.iteration_unit = "time steps";
    report.solve_seconds = world.allreduce(totals.seconds, ReduceOp::sum);
    report.mean_iterations = world.allreduce(double(totals.steps), ReduceOp::sum) /
                             double(std::max<std::int64_t>(1, options.num_samples - report.kept));
    report.seconds = world.allreduce(MPI_Wtime() - start, ReduceOp::max);
    return report;
  }
};

}  // namespace

std::unique_ptr<DatasetGenerator> make_ns2d_generator() { return std::make_unique<Ns2dGenerator>(); }

}  // namespace opforge::generate
