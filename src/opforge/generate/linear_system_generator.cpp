// Generation for the linear-system families (pde::pde_families()): sample N
// problems, order them, solve each group's piece in that order with one
// reused KSP, and write the dataset. One function per stage; generate()
// composes them.

#include <mpi.h>
#include <petscsys.h>

#include <algorithm>
#include <sstream>

#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/petsc_check.hpp"
#include "opforge/core/progress.hpp"
#include "opforge/core/stop_request.hpp"
#include "opforge/generate/generator.hpp"
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

/// 1. Everything the config says, read and validated before any work starts.
struct Plan {
  std::unique_ptr<pde::PdeFamily> family;
  GenerateOptions options;
  solve::SolverOptions solver;
  std::unique_ptr<SolveOrder> order;
  ScopedPetscOptions petsc_options;  ///< the config's petsc_options, inserted for the run
};

Plan resolve_plan(const GenerationContext& context, const config::Document& document) {
  const Communicator& world = context.comm;
  const config::Section root = document.root();
  Plan plan;
  plan.family = pde::make_pde_family(root.section("pde"));
  plan.options = parse_generate_options(root, plan.family->name());
  plan.options.ranks_per_solve = root.get<int>("ranks_per_solve", 1, config::at_least(1));
  plan.options.order = root.choice("order", solve_orders().names(), std::string("natural"));
  if (world.size() % plan.options.ranks_per_solve != 0)
    root.fail("ranks_per_solve", "must divide the number of ranks (" + std::to_string(world.size()) + "), got " +
                                     std::to_string(plan.options.ranks_per_solve));
  plan.solver =
      solve::SolverOptions::parse_in(root, plan.family->positive_definite(), plan.family->natural_boundary());
  plan.order = solve_orders().create(plan.options.order, root.section_or_empty("sorting"));
  plan.petsc_options = context.env.insert_petsc_options(root.string_map("petsc_options"), document.source_name());
  document.finish();
  check_output_absent(world, root, plan.options);
  return plan;
}

/// 2. The solve order: signatures computed by all ranks (rank r takes
/// i = r mod P), assembled by one allreduce, then the same order everywhere.
std::vector<std::int64_t> solve_sequence(const Communicator& world, const Plan& plan) {
  const GenerateOptions& o = plan.options;
  Signatures signatures;
  if (const std::int64_t size = plan.order->signature_size(); size > 0) {
    signatures.count = o.num_samples;
    signatures.dim = static_cast<std::int64_t>(plan.family->input_channels().size()) * size * size;
    signatures.values.assign(static_cast<std::size_t>(signatures.count * signatures.dim), 0.0);
    for (std::int64_t i = world.rank(); i < o.num_samples; i += world.size()) {
      std::vector<std::vector<double>> fields;
      for (auto& channel : plan.family->sample(static_cast<std::uint64_t>(o.seed), i).inputs)
        fields.push_back(std::move(channel.values));
      const Signatures one = block_average_signatures(fields, plan.family->resolution(), size);
      std::copy(one.values.begin(), one.values.end(), signatures.values.begin() + i * signatures.dim);
    }
    world.allreduce(signatures.values, ReduceOp::sum);
  }
  return plan.order->arrange(o.num_samples, signatures);
}

/// 3. The dataset's layout: the family's input channels, the solution as output.
io::DatasetLayout dataset_layout(const Plan& plan) {
  const std::int64_t s = plan.family->resolution();
  io::DatasetLayout layout;
  layout.num_samples = plan.options.num_samples;
  layout.input_channels = plan.family->input_channels();
  layout.output_channels = {"solution"};
  layout.spatial_shape = {s, s};
  layout.coordinates = {io::linspace(0.0, 1.0, s), io::linspace(0.0, 1.0, s)};
  layout.value_type = plan.options.value_type;
  layout.meta = {{"seed", io::MetaType::int64, "global seed: sample i's random fields are a function of (seed, i)"},
                 {"iterations", io::MetaType::int32, "Krylov iterations"},
                 {"residual", io::MetaType::float64, "true relative residual ||b - Ax|| / ||b||"},
                 {"solve_seconds", io::MetaType::float64, "wall time of the solve (fallback included)"},
                 {"converged", io::MetaType::uint8, "1 when the residual was accepted"},
                 {"fallback", io::MetaType::uint8, "1 when the direct fallback solver was used"},
                 {"ksp_reason", io::MetaType::int32, "KSPConvergedReason of the Krylov solve"},
                 {"solve_position", io::MetaType::int64, "position of the sample in its group's solve order"}};
  return layout;
}

std::string describe_family(const pde::PdeFamily& family) {
  std::ostringstream text;
  family.describe(text);
  return text.str();
}

/// What the dataset records of its making; `solver` is read back from the KSP.
io::Provenance provenance(const Plan& plan, const solve::SequenceSolver& solver, const config::Document& document) {
  const auto versions = Environment::library_versions();
  io::Provenance p;
  p.attributes = {{"pde_type", plan.family->name()},
                  {"pde", describe_family(*plan.family)},
                  {"solver", solver.describe()},
                  {"order", plan.options.order},
                  {"seed", std::to_string(plan.options.seed)},
                  {"ranks_per_solve", std::to_string(plan.options.ranks_per_solve)},
                  {"petsc_version", versions.count("petsc") ? versions.at("petsc") : ""},
                  {"mpi_version", versions.count("mpi") ? versions.at("mpi") : ""}};
  p.config_yaml = document.resolved_yaml();
  return p;
}

/// Sums over one group's solves (counted once, by the group's root).
struct SolveTotals {
  double solve_seconds = 0.0, assemble_seconds = 0.0;
  std::int64_t iterations = 0, fallbacks = 0, failures = 0;
  bool stopped = false;  ///< a stop signal ended the loop early
};

/// 4. Solves `piece` (global indices, in order) on the group's system with
/// its solver and puts each sample into `sink` from the group's root. SIGTERM/SIGUSR1
/// stop the loop after the sample in hand; a group's ranks solve together,
/// so they agree on where.
SolveTotals solve_piece(const Plan& plan, const Communicator& group, const std::vector<std::int64_t>& piece,
                        solve::GridSystem& system, solve::SequenceSolver& solver, io::SampleSink& sink,
                        const std::string& progress_label) {
  const Events& events = Events::get();
  const std::int64_t seed = plan.options.seed;
  SolveTotals totals;
  Progress progress(progress_label, static_cast<std::int64_t>(piece.size()));
  const StopSignalHandlers stop_handlers;
  bool matrix_assembled = false;
  for (std::size_t position = 0; position < piece.size() && !totals.stopped; ++position) {
    const std::int64_t index = piece[position];
    pde::PdeSample sample;
    {
      PetscEventScope scope(events.sample);
      sample = plan.family->sample(static_cast<std::uint64_t>(seed), index);
    }
    const double assemble_start = MPI_Wtime();
    const bool new_matrix = !matrix_assembled || !plan.family->fixed_matrix();
    {
      PetscEventScope scope(events.assemble);
      if (new_matrix) system.assemble_matrix(sample.op);
      system.assemble_rhs(sample.op);
    }
    matrix_assembled = true;
    totals.assemble_seconds += MPI_Wtime() - assemble_start;
    solve::SolveRecord record;
    {
      PetscEventScope scope(events.solve);
      record = solver.solve(system, new_matrix);
    }
    totals.solve_seconds += record.seconds;
    totals.iterations += record.iterations;
    totals.fallbacks += record.used_fallback ? 1 : 0;
    totals.failures += record.converged ? 0 : 1;
    if (!record.converged)
      logger().warning("sample ", index, " did not converge (true residual ", record.residual,
                       record.used_fallback ? " after the fallback" : "", "); it is flagged converged=0");

    const pde::Field2D solution = system.gather_solution(sample.op);
    if (group.rank() == 0) {
      PetscEventScope scope(events.write);
      std::vector<double> input;
      for (const auto& channel : sample.inputs) input.insert(input.end(), channel.values.begin(), channel.values.end());
      sink.write_sample(index, input.data(), solution.values.data(),
                          {{"seed", seed},
                           {"iterations", std::int64_t(record.iterations)},
                           {"residual", record.residual},
                           {"solve_seconds", record.seconds},
                           {"converged", std::int64_t(record.converged ? 1 : 0)},
                           {"fallback", std::int64_t(record.used_fallback ? 1 : 0)},
                           {"ksp_reason", std::int64_t(record.reason)},
                           {"solve_position", static_cast<std::int64_t>(position)}});
    }
    progress.advance();
    totals.stopped = group.allreduce(stop_requested() ? 1 : 0, ReduceOp::max) != 0;
  }
  progress.finish();
  return totals;
}

class LinearSystemGenerator final : public DatasetGenerator {
public:
  GenerationReport generate(const GenerationContext& context, const config::Document& document) const override {
    const double start = MPI_Wtime();
    const Communicator& world = context.comm;
    const Plan plan = resolve_plan(context, document);
    const GenerateOptions& options = plan.options;

    const double order_start = MPI_Wtime();
    const std::vector<std::int64_t> sequence = solve_sequence(world, plan);
    const double order_seconds = MPI_Wtime() - order_start;

    // Solver groups: consecutive ranks share one communicator, one system and one KSP.
    const int groups = world.size() / options.ranks_per_solve;
    const int group = world.rank() / options.ranks_per_solve;
    const Communicator group_comm = world.split(group, world.rank());
    solve::GridSystem system(group_comm, plan.family->resolution(), plan.family->coarsest_grid_nodes(),
                             plan.family->natural_boundary());
    solve::SequenceSolver solver(group_comm, plan.solver);

    io::DatasetWriter writer(world, options.output_path, dataset_layout(plan), provenance(plan, solver, document),
                             resume_options(options));
    if (!writer.resume_note().empty()) logger().warning(writer.resume_note());
    const std::vector<std::int64_t> share = piece_of(sequence, group, groups);
    std::vector<std::int64_t> piece;  // what is left to solve
    for (const std::int64_t index : share)
      if (!writer.kept()[static_cast<std::size_t>(index)]) piece.push_back(index);
    if (writer.kept_count() > 0)
      logger().info("resuming ", options.output_path, io::partial_suffix, ": ", writer.kept_count(), " of ",
                    options.num_samples, " samples kept (checksums verified), ",
                    options.num_samples - writer.kept_count(), " to solve");
    logger().info("generate: ", options.num_samples, " samples of ", describe_family(*plan.family), " on ",
                  world.size(), " rank(s) in ", groups, " solver group(s); solver ", solver.describe());

    io::TeeSink sink(writer, context.stream);
    sink.begin(writer.layout());
    if (group_comm.rank() == 0) restream_kept(writer, context.stream, share);
    const SolveTotals totals = solve_piece(plan, group_comm, piece, system, solver, sink,
                                           "generate" + std::string(groups > 1 ? " (group 0)" : ""));
    GenerationReport report;
    finish_or_suspend(world, writer, totals.stopped, report);

    // 5. Totals: per-group sums counted once (by group roots).
    const bool group_root = group_comm.rank() == 0;
    auto group_sum = [&](double value) { return world.allreduce(group_root ? value : 0.0, ReduceOp::sum); };
    report.output_path = options.output_path;
    report.samples = options.num_samples;
    report.kept = writer.kept_count();
    report.order_seconds = order_seconds;
    report.solver = solver.describe();
    report.solve_seconds = group_sum(totals.solve_seconds);
    report.assemble_seconds = group_sum(totals.assemble_seconds);
    report.mean_iterations =
        group_sum(double(totals.iterations)) / double(std::max<std::int64_t>(1, options.num_samples - report.kept));
    report.fallbacks = static_cast<std::int64_t>(group_sum(double(totals.fallbacks)));
    report.failures = static_cast<std::int64_t>(group_sum(double(totals.failures)));
    report.seconds = world.allreduce(MPI_Wtime() - start, ReduceOp::max);
    return report;
  }
};

}  // namespace

std::unique_ptr<DatasetGenerator> make_linear_system_generator() { return std::make_unique<LinearSystemGenerator>(); }

}  // namespace opforge::generate
