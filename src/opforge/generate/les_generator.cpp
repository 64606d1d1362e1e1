// Generation of les3d trajectory datasets: each rank simulates its share of
// the samples (i = rank mod P) with its own pseudo-spectral solver; there is
// no linear system, so no ordering, solver groups or KSP.

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
#include "opforge/pde/les3d.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::generate {
namespace {

io::DatasetLayout dataset_layout(const pde::Les3dOptions& les, const GenerateOptions& options) {
  const std::int64_t n = les.resolution;
  io::DatasetLayout layout;
  layout.num_samples = options.num_samples;
  layout.input_channels = {"u", "v", "w"};
  layout.output_channels = {"u", "v", "w"};
  layout.spatial_shape = {n, n, n};
  layout.time_steps = les.frames;
  for (std::int64_t k = 1; k <= les.frames; ++k) layout.times.push_back(double(k) * les.frame_interval);
  const double spacing = 2.0 * M_PI / double(n);
  layout.coordinates.assign(3, io::linspace(0.0, spacing * double(n - 1), n));
  layout.value_type = options.value_type;
  layout.meta = {{"seed", io::MetaType::int64, "global seed: sample i's initial field is a function of (seed, i)"},
                 {"energy", io::MetaType::float64, "kinetic energy <|u|^2>/2 of the input field"},
                 {"dissipation", io::MetaType::float64, "resolved + subgrid dissipation rate of the input field"},
                 {"final_energy", io::MetaType::float64, "kinetic energy of the last frame"},
                 {"max_divergence", io::MetaType::float64, "largest |div u| over the stored fields"},
                 {"time_steps", io::MetaType::int64, "RK4 steps from the random field to the last frame"},
                 {"solve_seconds", io::MetaType::float64, "wall time of the simulation (spin-up included)"},
                 {"frame_seconds", io::MetaType::float64, "wall time of the stored frames alone (no spin-up)"}};
  return layout;
}

std::string describe_flow(const pde::Les3dOptions& les) {
  std::ostringstream text;
  text << "les3d n=" << les.resolution << " nu=" << les.viscosity << " cs2=" << les.smagorinsky_cs2
       << " delta=" << les.delta();
  if (les.flow == pde::Les3dFlow::mixing_layer)
    text << " mixing_layer dU=" << les.mixing_layer.velocity_difference << " thickness=" << les.mixing_layer.thickness
         << " perturbation=" << les.mixing_layer.perturbation_rms << " k0=" << les.peak_wavenumber;
  else
    text << " k0=" << les.peak_wavenumber << " u_rms=" << les.velocity_rms;
  text << " spinup=" << les.spinup_time << " frames=" << les.frames << "x" << les.frame_interval
       << " cfl=" << les.cfl;
  return text.str();
}

io::Provenance provenance(const pde::Les3dOptions& les, const GenerateOptions& options,
                          const config::Document& document) {
  auto number = [](double value) {
    std::ostringstream out;
    out.precision(17);
    out << value;
    return out.str();
  };
  io::Provenance p;
  p.attributes = {{"pde_type", "les3d"},
                  {"pde", describe_flow(les)},
                  {"solver", "pseudo-spectral, 2/3 dealiased, integrating-factor RK4 (FFTW)"},
                  {"seed", std::to_string(options.seed)},
                  // Read by the LES physics loss as its defaults.
                  {"les_viscosity", number(les.viscosity)},
                  {"les_smagorinsky_cs2", number(les.smagorinsky_cs2)},
                  {"les_filter_width", number(les.delta())},
                  {"les_frame_interval", number(les.frame_interval)}};
  p.config_yaml = document.resolved_yaml();
  return p;
}

struct SimulationTotals {
  double seconds = 0.0;
  std::int64_t steps = 0;
  bool stopped = false;  ///< a stop signal ended the loop early
};

/// Simulates and writes this rank's trajectories. SIGTERM/SIGUSR1 stop after
/// the trajectory in hand (each rank simulates alone).
SimulationTotals simulate(const pde::Les3dOptions& les, std::int64_t seed, const std::vector<std::int64_t>& mine,
                          io::DatasetWriter& writer) {
  pde::Les3dSolver solver(les);
  const auto n = les.resolution;
  const std::size_t field = static_cast<std::size_t>(3 * n * n * n);
  std::vector<double> input, output(field * static_cast<std::size_t>(les.frames));
  SimulationTotals totals;
  Progress progress("generate", static_cast<std::int64_t>(mine.size()));
  const StopSignalHandlers stop_handlers;
  for (const std::int64_t index : mine) {
    if ((totals.stopped = stop_requested())) break;
    const double sample_start = MPI_Wtime();
    solver.set_velocity(pde::initial_field(les, pde::sample_seed(static_cast<std::uint64_t>(seed), index)));
    solver.advance(les.spinup_time);
    input = solver.velocity();
    const double frames_start = MPI_Wtime();
    const pde::FlowStatistics first = solver.statistics();
    double max_divergence = first.max_divergence;
    pde::FlowStatistics last = first;
    for (std::int64_t k = 0; k < les.frames; ++k) {
      solver.advance(les.frame_interval);
      const auto frame = solver.velocity();
      std::copy(frame.begin(), frame.end(), output.begin() + static_cast<long>(k * field));
      last = solver.statistics();
      max_divergence = std::max(max_divergence, last.max_divergence);
    }
    const double seconds = MPI_Wtime() - sample_start, frame_seconds = MPI_Wtime() - frames_start;
    totals.seconds += seconds;
    totals.steps += solver.steps();
    writer.write_sample(index, input.data(), output.data(),
                        {{"seed", seed},
                         {"energy", first.energy},
                         {"dissipation", first.dissipation},
                         {"final_energy", last.energy},
                         {"max_divergence", max_divergence},
                         {"time_steps", solver.steps()},
                         {"solve_seconds", seconds},
                         {"frame_seconds", frame_seconds}});
    progress.advance();
  }
  progress.finish();
  return totals;
}

/// les3d trajectories: each rank simulates samples i = rank mod P.
class LesGenerator final : public DatasetGenerator {
public:
  GenerationReport generate(Environment& env, const config::Document& document) const override {
    const double start = MPI_Wtime();
    const Communicator& world = env.world();
    const config::Section root = document.root();
    const config::Section pde_section = root.section("pde");
    pde_section.choice("type", {"les3d"});
    const pde::Les3dOptions les = pde::Les3dOptions::parse(pde_section);
    const GenerateOptions options = parse_generate_options(root, "les3d");
    document.finish();
    check_output_absent(world, root, options);

    const io::Provenance recorded = provenance(les, options, document);
    io::DatasetWriter writer(world, options.output_path, dataset_layout(les, options), recorded,
                             resume_options(options));
    if (!writer.resume_note().empty()) logger().warning(writer.resume_note());
    std::vector<std::int64_t> mine;
    for (std::int64_t i = world.rank(); i < options.num_samples; i += world.size())
      if (!writer.kept()[static_cast<std::size_t>(i)]) mine.push_back(i);
    logger().info("generate: ", options.num_samples, " trajectories of ", describe_flow(les), " on ", world.size(),
                  " rank(s)", writer.kept_count() ? "; " + std::to_string(writer.kept_count()) + " kept" : std::string());

    const SimulationTotals totals = simulate(les, options.seed, mine, writer);
    GenerationReport report;
    finish_or_suspend(world, writer, totals.stopped, report);
    report.output_path = options.output_path;
    report.samples = options.num_samples;
    report.kept = writer.kept_count();
    report.solver = recorded.attributes.at("solver");
    report.iteration_unit = "time steps";
    report.solve_seconds = world.allreduce(totals.seconds, ReduceOp::sum);
    report.mean_iterations = world.allreduce(double(totals.steps), ReduceOp::sum) /
                             double(std::max<std::int64_t>(1, options.num_samples - report.kept));
    report.seconds = world.allreduce(MPI_Wtime() - start, ReduceOp::max);
    return report;
  }
};

}  // namespace

std::unique_ptr<DatasetGenerator> make_les_generator() { return std::make_unique<LesGenerator>(); }

}  // namespace opforge::generate
