#include "opforge/generate/generator.hpp"

#include <petscsys.h>

#include <filesystem>
#include <sstream>

#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/petsc_check.hpp"
#include "opforge/core/progress.hpp"
#include "opforge/core/stop_request.hpp"
#include "opforge/core/version.hpp"
#include "opforge/generate/solve_order.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/pde/pde_family.hpp"
#include "opforge/solve/grid_system.hpp"
#include "opforge/solve/sequence_solver.hpp"

namespace opforge::generate {
namespace {

/// PETSc log events, so -log_view shows where generation spends its time.
struct Events {
  PetscLogEvent sample = 0, assemble = 0, solve = 0, write = 0;
  static const Events& get() {
    static const Events events = [] {
      Events e;
      PetscClassId id;
      OPFORGE_PETSC_CALL(PetscClassIdRegister("opforge", &id));
      OPFORGE_PETSC_CALL(PetscLogEventRegister("OpfSample", id, &e.sample));
      OPFORGE_PETSC_CALL(PetscLogEventRegister("OpfAssemble", id, &e.assemble));
      OPFORGE_PETSC_CALL(PetscLogEventRegister("OpfSolve", id, &e.solve));
      OPFORGE_PETSC_CALL(PetscLogEventRegister("OpfWrite", id, &e.write));
      return e;
    }();
    return events;
  }
};

class EventScope {
public:
  explicit EventScope(PetscLogEvent event) : event_(event) { PetscLogEventBegin(event_, 0, 0, 0, 0); }
  ~EventScope() { PetscLogEventEnd(event_, 0, 0, 0, 0); }
  EventScope(const EventScope&) = delete;
  EventScope& operator=(const EventScope&) = delete;

private:
  PetscLogEvent event_;
};

}  // namespace

GenerateOptions parse_generate_options(const config::Section& root, const std::string& pde_type) {
  GenerateOptions o;
  o.seed = root.get<std::int64_t>("seed", 0, config::non_negative());
  o.num_samples = root.get<std::int64_t>("num_samples", o.num_samples, config::at_least(1));
  const config::Section output = root.section_or_empty("output");
  o.output_path = output.get<std::string>("path", "data/" + pde_type + ".h5");
  o.value_type = output.choice("value_type", {"float32", "float64"}, std::string("float32")) == "float64"
                     ? io::ValueType::float64
                     : io::ValueType::float32;
  o.overwrite = output.get<bool>("overwrite", false);
  o.resume = output.get<bool>("resume", true);
  return o;
}

io::ResumeOptions resume_options(const GenerateOptions& options) {
  io::ResumeOptions resume;
  resume.enabled = options.resume && !options.overwrite;
  resume.identity = {"pde_type", "pde", "seed"};
  return resume;
}

void finish_or_suspend(const Communicator& world, io::DatasetWriter& writer, bool stopped_here,
                       GenerationReport& report) {
  // Ranks that were not signalled finish their share first: nothing solved is lost.
  report.stopped = world.allreduce(stopped_here ? 1 : 0, ReduceOp::max) != 0;
  if (!report.stopped) {
    writer.finish();
    report.written = writer.layout().num_samples;
    return;
  }
  report.written = writer.suspend();
  report.stop_signal = world.allreduce(stop_signal(), ReduceOp::max);
  clear_stop_request();
}

void check_output_absent(const Communicator& world, const config::Section& root, const GenerateOptions& options) {
  std::string exists_error;
  if (world.rank() == 0 && !options.overwrite && std::filesystem::exists(options.output_path))
    exists_error = root.section_or_empty("output").location("path") + ": output.path: '" + options.output_path +
                   "' exists; set output.overwrite: true to replace it";
  exists_error = world.broadcast(exists_error, 0);
  if (!exists_error.empty()) throw ConfigError(exists_error, __FILE__, __LINE__);
}

GenerationReport generate_dataset(Environment& env, const config::Document& document) {
  const double start = MPI_Wtime();
  const Communicator& world = env.world();
  const config::Section root = document.root();

  // 1. Configuration: every key read and validated before any work starts.
  const config::Section pde_section = root.section("pde");
  if (pde_section.get<std::string>("type", "") == "les3d") return generate_les_dataset(env, document);
  const std::unique_ptr<pde::PdeFamily> family = pde::make_pde_family(pde_section);
  GenerateOptions options = parse_generate_options(root, family->name());
  // Linear-system families only: solver groups and the solve order.
  options.ranks_per_solve = root.get<int>("ranks_per_solve", 1, config::at_least(1));
  options.order = root.choice("order", solve_orders().names(), std::string("natural"));
  if (world.size() % options.ranks_per_solve != 0)
    root.fail("ranks_per_solve", "must divide the number of ranks (" + std::to_string(world.size()) + "), got " +
                                     std::to_string(options.ranks_per_solve));
  const solve::SolverOptions solver_options =
      solve::SolverOptions::parse_in(root, family->positive_definite());
  const auto order = solve_orders().create(options.order, root.section_or_empty("sorting"));
  const ScopedPetscOptions petsc_options =
      env.insert_petsc_options(root.string_map("petsc_options"), document.source_name());
  document.finish();

  check_output_absent(world, root, options);

  // 2. Solver groups: consecutive ranks share one communicator and one system.
  const int groups = world.size() / options.ranks_per_solve;
  const int group = world.rank() / options.ranks_per_solve;
  Communicator group_comm = world.split(group, world.rank());
  const bool group_root = group_comm.rank() == 0;

  // Ordering: signatures computed by all ranks (rank r takes i = r mod P),
  // assembled by one allreduce, then the same order computed everywhere.
  const double order_start = MPI_Wtime();
  Signatures signatures;
  if (const std::int64_t size = order->signature_size(); size > 0) {
    signatures.count = options.num_samples;
    signatures.dim = static_cast<std::int64_t>(family->input_channels().size()) * size * size;
    signatures.values.assign(static_cast<std::size_t>(signatures.count * signatures.dim), 0.0);
    for (std::int64_t i = world.rank(); i < options.num_samples; i += world.size()) {
      std::vector<std::vector<double>> fields;
      for (auto& channel : family->sample(static_cast<std::uint64_t>(options.seed), i).inputs)
        fields.push_back(std::move(channel.values));
      const Signatures one = block_average_signatures(fields, family->resolution(), size);
      std::copy(one.values.begin(), one.values.end(), signatures.values.begin() + i * signatures.dim);
    }
    world.allreduce(signatures.values, ReduceOp::sum);
  }
  const std::vector<std::int64_t> sequence = order->arrange(options.num_samples, signatures);
  const double order_seconds = MPI_Wtime() - order_start;

  // 3. The dataset: inputs are the family's channels, the output the solution.
  const std::int64_t s = family->resolution();
  io::DatasetLayout layout;
  layout.num_samples = options.num_samples;
  layout.input_channels = family->input_channels();
  layout.output_channels = {"solution"};
  layout.spatial_shape = {s, s};
  layout.coordinates = {io::linspace(0.0, 1.0, s), io::linspace(0.0, 1.0, s)};
  layout.value_type = options.value_type;
  layout.meta = {{"seed", io::MetaType::int64, "global seed: sample i's random fields are a function of (seed, i)"},
                 {"iterations", io::MetaType::int32, "Krylov iterations"},
                 {"residual", io::MetaType::float64, "true relative residual ||b - Ax|| / ||b||"},
                 {"solve_seconds", io::MetaType::float64, "wall time of the solve (fallback included)"},
                 {"converged", io::MetaType::uint8, "1 when the residual was accepted"},
                 {"fallback", io::MetaType::uint8, "1 when the direct fallback solver was used"},
                 {"ksp_reason", io::MetaType::int32, "KSPConvergedReason of the Krylov solve"},
                 {"solve_position", io::MetaType::int64, "position of the sample in its group's solve order"}};

  solve::GridSystem system(group_comm, s, family->coarsest_grid_nodes());
  solve::SequenceSolver solver(group_comm, solver_options);

  io::Provenance provenance;
  std::ostringstream pde_text;
  family->describe(pde_text);
  const auto versions = Environment::library_versions();
  provenance.attributes = {{"pde_type", family->name()},
                           {"pde", pde_text.str()},
                           {"solver", solver.describe()},
                           {"order", options.order},
                           {"seed", std::to_string(options.seed)},
                           {"ranks_per_solve", std::to_string(options.ranks_per_solve)},
                           {"petsc_version", versions.count("petsc") ? versions.at("petsc") : ""},
                           {"mpi_version", versions.count("mpi") ? versions.at("mpi") : ""}};
  provenance.config_yaml = document.resolved_yaml();
  io::DatasetWriter writer(world, options.output_path, layout, provenance, resume_options(options));
  if (!writer.resume_note().empty()) logger().warning(writer.resume_note());
  std::vector<std::int64_t> mine;
  for (const std::int64_t index : piece_of(sequence, group, groups))
    if (!writer.kept()[static_cast<std::size_t>(index)]) mine.push_back(index);
  if (writer.kept_count() > 0)
    logger().info("resuming ", options.output_path, io::partial_suffix, ": ", writer.kept_count(), " of ",
                  options.num_samples, " samples kept (checksums verified), ",
                  options.num_samples - writer.kept_count(), " to solve");

  logger().info("generate: ", options.num_samples, " samples of ", pde_text.str(), " on ", world.size(),
                " rank(s) in ", groups, " solver group(s); solver ", solver.describe());

  // 4. Solve the group's piece in order, reusing one KSP.
  const Events& events = Events::get();
  double solve_seconds = 0.0, assemble_seconds = 0.0;
  std::int64_t iterations = 0, fallbacks = 0, failures = 0;
  Progress progress("generate" + std::string(groups > 1 ? " (group 0)" : ""), static_cast<std::int64_t>(mine.size()));
  bool matrix_assembled = false;
  // SIGTERM/SIGUSR1 stop the loop after the sample in hand; a group's ranks
  // solve together, so they agree on where.
  const StopSignalHandlers stop_handlers;
  bool stopped = false;
  for (std::size_t position = 0; position < mine.size() && !stopped; ++position) {
    const std::int64_t index = mine[position];
    pde::PdeSample sample;
    {
      EventScope scope(events.sample);
      sample = family->sample(static_cast<std::uint64_t>(options.seed), index);
    }
    const double assemble_start = MPI_Wtime();
    const bool new_matrix = !matrix_assembled || !family->fixed_matrix();
    {
      EventScope scope(events.assemble);
      if (new_matrix) system.assemble_matrix(sample.op);
      system.assemble_rhs(sample.op);
    }
    matrix_assembled = true;
    assemble_seconds += MPI_Wtime() - assemble_start;
    solve::SolveRecord record;
    {
      EventScope scope(events.solve);
      record = solver.solve(system, new_matrix);
    }
    solve_seconds += record.seconds;
    iterations += record.iterations;
    fallbacks += record.used_fallback ? 1 : 0;
    failures += record.converged ? 0 : 1;
    if (!record.converged)
      logger().warning("sample ", index, " did not converge (true residual ", record.residual,
                       record.used_fallback ? " after the fallback" : "", "); it is flagged converged=0");

    const pde::Field2D solution = system.gather_solution(sample.op);
    if (group_root) {
      EventScope scope(events.write);
      std::vector<double> input;
      for (const auto& channel : sample.inputs) input.insert(input.end(), channel.values.begin(), channel.values.end());
      writer.write_sample(index, input.data(), solution.values.data(),
                          {{"seed", options.seed},
                           {"iterations", std::int64_t(record.iterations)},
                           {"residual", record.residual},
                           {"solve_seconds", record.seconds},
                           {"converged", std::int64_t(record.converged ? 1 : 0)},
                           {"fallback", std::int64_t(record.used_fallback ? 1 : 0)},
                           {"ksp_reason", std::int64_t(record.reason)},
                           {"solve_position", static_cast<std::int64_t>(position)}});
    }
    progress.advance();
    stopped = group_comm.allreduce(stop_requested() ? 1 : 0, ReduceOp::max) != 0;
  }
  progress.finish();
  GenerationReport report;
  finish_or_suspend(world, writer, stopped, report);

  // 5. Totals: per-group sums counted once (by group roots).
  report.output_path = options.output_path;
  report.samples = options.num_samples;
  report.kept = writer.kept_count();
  report.order_seconds = order_seconds;
  report.solver = solver.describe();
  auto group_sum = [&](double value) { return world.allreduce(group_root ? value : 0.0, ReduceOp::sum); };
  report.solve_seconds = group_sum(solve_seconds);
  report.assemble_seconds = group_sum(assemble_seconds);
  report.mean_iterations =
      group_sum(double(iterations)) / double(std::max<std::int64_t>(1, options.num_samples - report.kept));
  report.fallbacks = static_cast<std::int64_t>(group_sum(double(fallbacks)));
  report.failures = static_cast<std::int64_t>(group_sum(double(failures)));
  report.seconds = world.allreduce(MPI_Wtime() - start, ReduceOp::max);
  return report;
}

}  // namespace opforge::generate
