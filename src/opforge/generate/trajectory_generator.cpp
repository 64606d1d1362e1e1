#include "opforge/generate/trajectory_generator.hpp"

#include <mpi.h>

#include <algorithm>

#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/progress.hpp"
#include "opforge/core/stop_request.hpp"
#include "opforge/io/dataset_writer.hpp"

namespace opforge::generate {
namespace {

struct SimulationTotals {
  double seconds = 0.0;
  std::int64_t steps = 0;
  bool stopped = false;  ///< a stop signal ended the loop early
};

/// This rank's trajectories; SIGTERM/SIGUSR1 stop after the one in hand
/// (each rank simulates alone, so there is nothing to agree on until the end).
SimulationTotals simulate_share(TrajectoryFamily& family, std::int64_t seed, const std::vector<std::int64_t>& mine,
                                io::SampleSink& sink) {
  SimulationTotals totals;
  Progress progress("generate", static_cast<std::int64_t>(mine.size()));
  const StopSignalHandlers stop_handlers;
  for (const std::int64_t index : mine) {
    if ((totals.stopped = stop_requested())) break;
    const double start = MPI_Wtime();
    totals.steps += family.simulate(seed, index, sink);
    totals.seconds += MPI_Wtime() - start;
    progress.advance();
  }
  progress.finish();
  return totals;
}

class TrajectoryGenerator final : public DatasetGenerator {
public:
  TrajectoryGenerator(std::string type, TrajectoryFamilyParser parse)
      : type_(std::move(type)), parse_(std::move(parse)) {}

  GenerationReport generate(const GenerationContext& context, const config::Document& document) const override {
    const double start = MPI_Wtime();
    const Communicator& world = context.comm;
    const config::Section root = document.root();
    const config::Section pde_section = root.section("pde");
    pde_section.choice("type", {type_});
    const std::unique_ptr<TrajectoryFamily> family = parse_(pde_section);
    const GenerateOptions options = parse_generate_options(root, type_);
    document.finish();
    check_output_absent(world, root, options);

    io::Provenance provenance;
    provenance.attributes = family->attributes();
    provenance.attributes["pde_type"] = type_;
    provenance.attributes["pde"] = family->describe();
    provenance.attributes["seed"] = std::to_string(options.seed);
    provenance.config_yaml = document.resolved_yaml();
    io::DatasetWriter writer(world, options.output_path, family->layout(options), provenance, resume_options(options));
    if (!writer.resume_note().empty()) logger().warning(writer.resume_note());
    std::vector<std::int64_t> share, mine;  // this rank's trajectories; those left to simulate
    for (std::int64_t i = world.rank(); i < options.num_samples; i += world.size()) {
      share.push_back(i);
      if (!writer.kept()[static_cast<std::size_t>(i)]) mine.push_back(i);
    }
    logger().info("generate: ", options.num_samples, " trajectories of ", family->describe(), " on ", world.size(),
                  " rank(s)", writer.kept_count() ? "; " + std::to_string(writer.kept_count()) + " kept" : std::string());

    io::TeeSink sink(writer, context.stream);
    sink.begin(writer.layout());
    restream_kept(writer, context.stream, share);
    const SimulationTotals totals = simulate_share(*family, options.seed, mine, sink);
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

private:
  std::string type_;
  TrajectoryFamilyParser parse_;
};

}  // namespace

std::unique_ptr<DatasetGenerator> make_trajectory_generator(std::string type, TrajectoryFamilyParser parse) {
  return std::make_unique<TrajectoryGenerator>(std::move(type), std::move(parse));
}

}  // namespace opforge::generate
