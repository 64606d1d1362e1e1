#include "opforge/train/loop/trainer.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "opforge/core/communicator.hpp"
#include "opforge/core/error.hpp"
#include "opforge/core/file_commit.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/progress.hpp"
#include "opforge/core/stop_request.hpp"
#include "opforge/train/data/data.hpp"
#include "opforge/train/data/sampler.hpp"
#include "opforge/train/data/streamed_examples.hpp"
#include "opforge/train/loop/checkpoint.hpp"
#include "opforge/train/loop/forecast.hpp"
#include "opforge/train/loop/gradient_sync.hpp"
#include "opforge/train/loop/lr_schedule.hpp"
#include "opforge/train/loop/sample_errors.hpp"
#include "opforge/train/loop/training_loss.hpp"
#include "opforge/train/loop/training_options.hpp"
#include "opforge/train/models/model.hpp"

// `opforge train`: a run is built from the config (Run), resumed or started,
// trained epoch by epoch, and finished; one function per stage, composed by
// train_model.

namespace opforge::train {
namespace {

std::string four_digits(double value) {
  std::ostringstream out;
  out << std::setprecision(4) << value;
  return out.str();
}

/// The model's weights form the first parameter group; a learned C_s^2 a
/// second one, with its own learning rate and no weight decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainingOptions& o, torch::nn::Module& model,
                                                        const TrainingLoss& loss) {
  const bool adamw = o.optimizer == "adamw";
  using namespace torch::optim;
  auto group_options = [&](double lr, double weight_decay) -> std::unique_ptr<OptimizerOptions> {
    if (adamw) return std::make_unique<AdamWOptions>(AdamWOptions(lr).weight_decay(weight_decay));
    return std::make_unique<AdamOptions>(AdamOptions(lr).weight_decay(weight_decay));
  };
  std::vector<OptimizerParamGroup> groups;
  groups.emplace_back(model.parameters(), group_options(o.lr, o.weight_decay));
  if (loss.learned()) groups.emplace_back(loss.learned()->parameters(), group_options(loss.learned_options().lr, 0.0));
  if (adamw) return std::make_unique<AdamW>(groups, AdamWOptions(o.lr).weight_decay(o.weight_decay));
  return std::make_unique<Adam>(groups, AdamOptions(o.lr).weight_decay(o.weight_decay));
}

/// The schedule's rate `lr` for the model; a learned C_s^2 follows the same
/// schedule from its own base rate.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr, const TrainingOptions& o,
                       const TrainingLoss& loss) {
  auto& groups = optimizer.param_groups();
  groups[0].options().set_lr(lr);
  if (groups.size() > 1) groups[1].options().set_lr(loss.learned_options().lr * lr / o.lr);
}

void write_metrics_row(const std::string& path, const EpochMetrics& m, bool header) {
  std::ofstream out(path, std::ios::app);
  OPFORGE_CHECK(out, IoError, "cannot write '", path, "'");
  if (header) {
    out << "epoch,train_loss,test_rel_l2,test_rel_h1,validation_rel_l2,learning_rate,epoch_seconds,"
           "samples_per_second,allreduce_seconds";
    for (const auto& column : m.stream) out << "," << column.first;
    out << "\n";
  }
  out << m.epoch << "," << m.train_loss << "," << m.test_l2 << "," << m.test_h1 << "," << m.validation_l2 << ","
      << m.learning_rate << "," << m.seconds << "," << m.samples_per_second << "," << m.allreduce_seconds;
  for (const auto& column : m.stream) out << "," << column.second;
  out << "\n";
}

/// Rank 0 saves; every rank learns whether it worked, so a full disk is one
/// clear error on all ranks (the previous checkpoint stays intact).
void save_checkpoint_on_root(const Communicator& comm, const std::string& path, torch::nn::Module& model,
                             torch::optim::Optimizer* optimizer, const Normalizer& normalizer,
                             const CheckpointContents& contents, torch::nn::Module* loss_parameters) {
  std::string failure;
  if (comm.rank() == 0) {
    try {
      save_checkpoint(path, model, optimizer, normalizer, contents, loss_parameters);
    } catch (const Error& e) {
      failure = e.what();
    }
  }
  failure = comm.broadcast(failure, 0);
  if (!failure.empty()) throw IoError(failure, __FILE__, __LINE__);
}

/// <run>/report.json: what a benchmark table needs, written atomically at the end.
void write_report(const std::string& path, const TrainingReport& report, int ranks, std::int64_t epochs) {
  const auto& last = report.history.back();
  double seconds = 0;
  for (const auto& m : report.history) seconds += m.seconds;
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out.precision(8);
    out << "{\n  \"model\": \"" << report.model << "\",\n  \"spectral_backend\": \"" << report.spectral_backend
        << "\",\n  \"parameters\": " << report.parameters
        << ",\n  \"ranks\": " << ranks << ",\n  \"epochs\": " << epochs
        << ",\n  \"epochs_this_run\": " << report.history.size()
        << ",\n  \"seconds_per_epoch\": " << seconds / double(report.history.size());
    if (std::isfinite(report.learned_smagorinsky_cs2))
      out << ",\n  \"learned_smagorinsky_cs2\": " << report.learned_smagorinsky_cs2;
    out << ",\n  \"final\": {\"epoch\": " << last.epoch << ", \"test_rel_l2\": " << last.test_l2
        << ", \"test_rel_h1\": " << last.test_h1 << "},\n  \"best\": ";
    if (report.best.epoch > 0)
      out << "{\"epoch\": " << report.best.epoch << ", \"validation_rel_l2\": " << report.best.validation_l2
          << ", \"test_rel_l2\": " << report.best.test_l2 << ", \"test_rel_h1\": " << report.best.test_h1 << "}";
    else
      out << "null";
    out << "\n}\n";
    OPFORGE_CHECK(out, IoError, "cannot write '", temporary, "'");
  }
  commit_file(temporary, path);
}

/// torch's threads and seed are set before the model is built: its initial
/// weights are drawn from that seed.
std::shared_ptr<OperatorModelImpl> seeded_model(const config::Section& section, const ModelShape& shape,
                                                std::int64_t seed, std::int64_t threads) {
  torch::set_num_threads(static_cast<int>(threads));
  torch::manual_seed(static_cast<std::uint64_t>(seed));
  return make_model(section, shape);
}

std::string finish_reading(const config::Document& document) {
  document.finish();  // every component has read its keys
  return document.resolved_yaml();
}

/// 1. Everything a run needs, built from the config in the order its parts
/// depend on each other; every key is validated before any work runs.
struct Run {
  Run(const Communicator& comm, const config::Document& document, const TrainCommand& command)
      : root(document.root()),
        seed(root.get<std::int64_t>("seed", 0, config::non_negative())),
        data_options(DataOptions::parse(root.section("data"))),
        options(TrainingOptions::parse(root.section_or_empty("training"))),
        run_directory(root.section_or_empty("output").get<std::string>(
            "directory", "runs/" + root.section("model").get<std::string>("type", "fno"))),
        data(data_options),
        loss(TrainingLoss::parse(options.loss_section, data)),
        model(seeded_model(root.section("model"), data.shape(), seed, options.threads)),
        train_indices(range(data_options.train_begin, data_options.train_end)),
        test_indices(range(data_options.test_begin, data_options.test_end)),
        validation_indices(range(data_options.validation_begin, data_options.validation_end)),
        examples(make_examples(comm, command)),
        schedule(make_lr_schedule(options.schedule_section, {options.lr, options.epochs, examples->batches()})),
        resolved_yaml(finish_reading(document)),
        optimizer(make_optimizer(options, *model, loss)),
        learned(loss.learned() ? loss.learned().ptr() : nullptr),
        normalizer(checked_normalizer(comm)) {}

  /// The training examples: data.train's (or their autoregressive windows)
  /// in shuffled batches, or online, the stream's.
  std::unique_ptr<ExampleSource> make_examples(const Communicator& comm, const TrainCommand& command) {
    if (command.stream)
      return std::make_unique<StreamedExamples>(comm, *command.stream, data, command.buffer, options.batch_size,
                                                static_cast<std::uint64_t>(seed));
    return std::make_unique<DistributedSampler>(data.training_examples(train_indices), options.batch_size,
                                                static_cast<std::uint64_t>(seed), comm.rank(), comm.size());
  }

  /// Refuses NaN or infinite values in what will be read (labels of the
  /// training range only when the loss uses them), fills the cache, then
  /// fits the normaliser.
  Normalizer checked_normalizer(const Communicator& comm) {
    std::vector<std::int64_t> evaluated = test_indices;
    evaluated.insert(evaluated.end(), validation_indices.begin(), validation_indices.end());
    check_finite(comm, data, train_indices, loss.needs_labels());
    if (loss.learned()) evaluated.push_back(loss.learned_options().sample);  // the calibration trajectory
    check_finite(comm, data, evaluated);
    data.preload(train_indices, loss.needs_labels());
    data.preload(evaluated);
    return data_options.normalize ? Normalizer::fit(comm, data, train_indices) : Normalizer::identity(data.shape());
  }

  /// Checkpoint contents shared by every checkpoint of the run.
  CheckpointContents contents(const std::string& model_description) const {
    CheckpointContents c;
    c.config_yaml = resolved_yaml;
    c.model_description = model_description;
    c.input_channels = data.layout().input_channels;
    c.output_channels = data.layout().output_channels;
    c.spatial_dims = data.shape().spatial_dims;
    return c;
  }

  std::string checkpoint_path() const { return run_directory + "/checkpoint.pt"; }
  std::string metrics_path() const { return run_directory + "/metrics.csv"; }

  config::Section root;
  std::int64_t seed;
  DataOptions data_options;
  TrainingOptions options;
  std::string run_directory;
  OperatorData data;
  TrainingLoss loss;
  std::shared_ptr<OperatorModelImpl> model;
  std::vector<std::int64_t> train_indices, test_indices, validation_indices;
  std::unique_ptr<ExampleSource> examples;
  std::unique_ptr<LrSchedule> schedule;
  std::string resolved_yaml;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::shared_ptr<torch::nn::Module> learned;  ///< a learned C_s^2, trained beside the model
  Normalizer normalizer;
};

/// Where training starts: epochs done, steps of the next, and their summed loss.
struct StartPoint {
  std::int64_t first_step = 0;
  double loss_sum = 0;  ///< global, held by rank 0
};

/// 2. Resume: every rank loads the same checkpoint (model, optimizer and
/// normaliser from one step), after checking that it is this experiment's.
/// Or start: a fresh metrics.csv and the resolved config.
StartPoint resume_or_start(const Communicator& comm, Run& run, const TrainCommand& command, TrainingReport& report) {
  if (comm.rank() == 0) std::filesystem::create_directories(run.run_directory);
  comm.barrier();
  StartPoint start;
  if ((command.resume || run.options.resume_auto) && std::filesystem::exists(run.checkpoint_path())) {
    CheckpointReader checkpoint(run.checkpoint_path());
    check_resumable(checkpoint, run.resolved_yaml, run.data.shape());
    checkpoint.restore(*run.model, run.optimizer.get(), run.normalizer, run.learned.get());
    const CheckpointContents& contents = checkpoint.contents();
    run.examples->restore(contents.example_state);
    report.first_epoch = contents.completed_epochs;
    report.best = contents.best;
    start.first_step = contents.completed_steps;
    start.loss_sum = comm.rank() == 0 ? contents.epoch_loss_sum : 0.0;
    logger().info("resuming ", run.checkpoint_path(), " after epoch ", report.first_epoch,
                  start.first_step > 0 ? " and " + std::to_string(start.first_step) + " steps of the next"
                                       : std::string());
  } else if (comm.rank() == 0) {
    std::filesystem::remove(run.metrics_path());
    std::ofstream(run.run_directory + "/config.yaml") << run.resolved_yaml;
  }
  return start;
}

/// The steps of one epoch from `first_step`; stops early at a step boundary
/// all ranks agree on when a stop signal (or command.stop_after_steps) asks.
struct EpochSteps {
  std::int64_t end_step = 0;  ///< the step the loop stopped before (examples->batches() when whole)
  double loss_sum = 0;        ///< this rank's summed per-sample losses (plus a resumed sum on rank 0)
  bool stopping = false;
};

EpochSteps train_steps(const Communicator& comm, Run& run, GradientSync& sync, const TrainCommand& command,
                       std::int64_t epoch, std::int64_t first_step, double loss_sum, std::int64_t& steps_taken) {
  EpochSteps steps;
  steps.loss_sum = loss_sum;
  std::int64_t b = first_step;
  for (; b < run.examples->batches() && !steps.stopping; ++b) {
    set_learning_rate(*run.optimizer, run.schedule->lr(epoch, b), run.options, run.loss);
    const auto mine = run.examples->next_batch(epoch, b);
    run.optimizer->zero_grad();
    torch::Tensor objective;
    if (!mine.empty()) {
      torch::Tensor x, y;
      if (run.loss.needs_labels())
        std::tie(x, y) = run.data.training_batch(mine);
      else
        x = run.data.inputs(mine);
      const auto prediction = forecast(*run.model, run.normalizer, run.data, x, run.data.train_rollout());
      const auto errors = run.loss.per_sample(prediction, x, y);
      // Sum over this rank's part / global batch: the allreduce then yields the global mean.
      objective = errors.sum() / double(run.examples->global_batch_size(b));
      steps.loss_sum += errors.sum().item<double>();
    }
    if (run.learned && comm.rank() == 0) {
      // The calibration term once per step (on one rank: the allreduce sums).
      const auto calibration = run.loss.calibration(run.data);
      objective = objective.defined() ? objective + calibration : calibration;
    }
    if (objective.defined()) objective.backward();
    sync.allreduce(1.0);
    if (run.options.clip_grad_norm > 0)
      torch::nn::utils::clip_grad_norm_(run.model->parameters(), run.options.clip_grad_norm);
    run.optimizer->step();
    ++steps_taken;
    const bool stop_here =
        stop_requested() || (command.stop_after_steps > 0 && steps_taken >= command.stop_after_steps);
    steps.stopping = comm.allreduce(stop_here ? 1 : 0, ReduceOp::max) != 0;
  }
  steps.end_step = b;
  return steps;
}

/// The test (and validation) errors after an epoch, and whether it is the
/// best so far by validation error (model selection).
bool score_epoch(const Communicator& comm, Run& run, EpochMetrics& m, TrainingReport& report) {
  const auto test = relative_errors(comm, *run.model, run.data, run.normalizer, run.test_indices);
  const auto test_size = static_cast<std::int64_t>(run.test_indices.size());
  m.test_l2 = mean_over_ranks(comm, test.l2, test_size);
  m.test_h1 = mean_over_ranks(comm, test.h1, test_size);
  if (run.validation_indices.empty()) return false;
  const auto validation = relative_errors(comm, *run.model, run.data, run.normalizer, run.validation_indices);
  m.validation_l2 = mean_over_ranks(comm, validation.l2, static_cast<std::int64_t>(run.validation_indices.size()));
  const bool best = report.best.epoch == 0 || m.validation_l2 < report.best.validation_l2;
  if (best) report.best = {m.epoch, m.validation_l2, m.test_l2, m.test_h1};
  return best;
}

/// Online training's progress: "; stream: samples_generated 120, unique_trained 96, ...".
std::string stream_summary(const EpochMetrics& m) {
  if (m.stream.empty()) return {};
  std::ostringstream out;
  out << std::setprecision(6) << "; stream:";
  const char* separator = " ";
  for (const auto& [name, value] : m.stream) {
    out << separator << name << " " << value;
    separator = ", ";
  }
  return out.str();
}

void log_epoch(const Run& run, const EpochMetrics& m, const TrainingReport& report) {
  const double remaining = m.seconds * double(run.options.epochs - m.epoch);
  logger().info("epoch ", m.epoch, "/", run.options.epochs, ": train ", m.train_loss, ", test rel-L2 ", m.test_l2,
                " H1 ", m.test_h1,
                run.validation_indices.empty() ? std::string() : ", validation rel-L2 " + std::to_string(m.validation_l2),
                run.learned ? ", C_s^2 " + four_digits(report.learned_smagorinsky_cs2) : std::string(), ", lr ",
                m.learning_rate, ", ", static_cast<long>(m.samples_per_second), " samples/s, ETA ",
                format_duration(remaining), stream_summary(m));
}

/// 3. The epochs, each checkpointed as checkpoint_every says; a stop signal
/// ends them at a step all ranks agree on, after a checkpoint of that step.
void run_epochs(const Communicator& comm, Run& run, const TrainCommand& command, const StartPoint& start,
                TrainingReport& report) {
  // What the ranks keep equal: the model and a learned C_s^2.
  torch::nn::Module trained;
  trained.register_module("model", run.model);
  if (run.learned) trained.register_module("loss", run.learned);
  broadcast_parameters(comm, trained);
  GradientSync sync(comm, trained, GradientSync::default_bucket_bytes, run.options.overlap_allreduce);
  const auto per_epoch = run.examples->examples_per_epoch();
  const std::string training =
      command.stream ? "streamed training samples (" + std::to_string(per_epoch) + " examples per epoch)"
      : per_epoch == static_cast<std::int64_t>(run.train_indices.size())
          ? std::to_string(per_epoch) + " training"
          : std::to_string(run.train_indices.size()) + " (" + std::to_string(per_epoch) + " windows) training";
  logger().info("train: ", report.model, ", ", report.parameters, " parameters, ", training, " / ",
                run.test_indices.size(), " test samples, ", comm.size(), " rank(s), global batch ",
                run.options.batch_size);
  run.model->train();
  const CheckpointContents template_contents = run.contents(report.model);
  auto save = [&](const std::string& path, torch::optim::Optimizer* optimizer, std::int64_t epochs,
                  std::int64_t steps, double loss_sum) {
    CheckpointContents contents = template_contents;
    contents.completed_epochs = epochs;
    contents.completed_steps = steps;
    contents.epoch_loss_sum = loss_sum;
    contents.best = report.best;
    contents.example_state = run.examples->state();
    save_checkpoint_on_root(comm, path, *run.model, optimizer, run.normalizer, contents, run.learned.get());
  };
  const StopSignalHandlers stop_handlers;
  std::int64_t steps_taken = 0;
  for (std::int64_t epoch = report.first_epoch; epoch < run.options.epochs; ++epoch) {
    const auto clock = std::chrono::steady_clock::now();
    const double allreduce_before = sync.seconds();
    const bool resumed = epoch == report.first_epoch && start.first_step > 0;
    const EpochSteps steps = train_steps(comm, run, sync, command, epoch, resumed ? start.first_step : 0,
                                         resumed ? start.loss_sum : 0.0, steps_taken);
    if (steps.stopping && steps.end_step < run.examples->batches()) {
      // Mid-epoch: the checkpoint records the steps taken and their loss, so
      // resuming replays nothing and skips nothing.
      save(run.checkpoint_path(), run.optimizer.get(), epoch, steps.end_step,
           comm.allreduce(steps.loss_sum, ReduceOp::sum));
      report.stopped_after = {epoch, steps.end_step};
      return;
    }
    EpochMetrics m;
    m.epoch = epoch + 1;
    m.train_loss = comm.allreduce(steps.loss_sum, ReduceOp::sum) / double(run.examples->examples_per_epoch());
    m.learning_rate = run.schedule->lr(epoch, run.examples->batches() - 1);
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
    m.samples_per_second = double(run.examples->examples_per_epoch()) / m.seconds;
    m.stream = run.examples->status();
    m.allreduce_seconds = sync.seconds() - allreduce_before;
    if (!std::isfinite(m.train_loss))
      OPFORGE_THROW(Error, "training diverged in epoch ", m.epoch, " (loss ", m.train_loss,
                    "); the last good checkpoint is ", run.checkpoint_path());
    const bool best = score_epoch(comm, run, m, report);
    report.history.push_back(m);
    if (comm.rank() == 0) write_metrics_row(run.metrics_path(), m, !std::filesystem::exists(run.metrics_path()));
    // best.pt first: a checkpoint never names a best epoch whose weights are not on disk.
    if (best) save(run.run_directory + "/best.pt", nullptr, m.epoch, 0, 0.0);
    if (m.epoch % run.options.checkpoint_every == 0 || m.epoch == run.options.epochs || steps.stopping)
      save(run.checkpoint_path(), run.optimizer.get(), m.epoch, 0, 0.0);
    if (run.learned) report.learned_smagorinsky_cs2 = run.loss.learned()->cs2.item<double>();
    log_epoch(run, m, report);
    if (steps.stopping) {
      report.stopped_after = {m.epoch, 0};
      return;
    }
  }
}

}  // namespace

TrainingReport train_model(const Communicator& comm, const config::Document& document, const TrainCommand& command) {
  Run run(comm, document, command);
  TrainingReport report;
  report.run_directory = run.run_directory;
  report.model = run.model->describe();
  report.spectral_backend = run.model->spectral_backend();
  report.parameters = count_parameters(*run.model);
  const StartPoint start = resume_or_start(comm, run, command, report);
  run_epochs(comm, run, command, start, report);
  run.examples->finish();
  if (report.stopped_after) {
    logger().info("stopped for requeue", stop_signal() ? " (signal " + std::to_string(stop_signal()) + ")" : std::string(),
                  " after epoch ", report.stopped_after->first,
                  report.stopped_after->second > 0
                      ? " and " + std::to_string(report.stopped_after->second) + " steps of the next"
                      : std::string(),
                  "; checkpoint ", run.checkpoint_path(), "; continue with --resume");
    clear_stop_request();
    comm.barrier();
    return report;
  }
  // 4. The final weights and the report.
  if (comm.rank() == 0) {
    save_weights(run.run_directory + "/model.pt", *run.model);
    if (!report.history.empty())
      write_report(run.run_directory + "/report.json", report, comm.size(), run.options.epochs);
  }
  comm.barrier();
  return report;
}

}  // namespace opforge::train
