#include "opforge/train/loop/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <map>
#include <numeric>

#include "opforge/core/communicator.hpp"
#include "opforge/core/error.hpp"
#include "opforge/core/file_commit.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/progress.hpp"
#include "opforge/core/stop_request.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/train/loop/checkpoint.hpp"
#include "opforge/train/data/data.hpp"
#include "opforge/train/loop/gradient_sync.hpp"
#include "opforge/train/loop/lr_schedule.hpp"
#include "opforge/train/models/model.hpp"
#include "opforge/train/loop/rollout.hpp"
#include "opforge/train/data/sampler.hpp"
#include "opforge/train/loop/training_loss.hpp"

namespace opforge::train {
namespace {

/// The `training:` section.
struct TrainingOptions {
  std::int64_t epochs = 10;
  std::int64_t batch_size = 20;
  std::string optimizer = "adam";
  double lr = 1e-3;
  double weight_decay = 1e-4;
  config::Section loss_section;  ///< `training:`, whose `loss` key is parsed once the data is open
  double clip_grad_norm = 0.0;
  std::int64_t checkpoint_every = 1;
  std::int64_t threads = 1;
  bool resume_auto = false;
  config::Section schedule_section;
  bool overlap_allreduce = true;

  static TrainingOptions parse(const config::Section& s) {
    TrainingOptions o{10, 20, "adam", 1e-3, 1e-4, s, 0.0, 1, 1, false, s.section_or_empty("schedule"), true};
    o.epochs = s.get<std::int64_t>("epochs", o.epochs, config::at_least(1));
    o.batch_size = s.get<std::int64_t>("batch_size", o.batch_size, config::at_least(1));
    const config::Section optimizer = s.section_or_empty("optimizer");
    o.optimizer = optimizer.choice("type", {"adam", "adamw"}, std::string("adam"));
    o.lr = optimizer.get<double>("lr", o.lr, config::positive());
    o.weight_decay = optimizer.get<double>("weight_decay", o.weight_decay, config::non_negative());
    o.loss_section = s;
    o.clip_grad_norm = s.get<double>("clip_grad_norm", 0.0, config::non_negative());
    o.checkpoint_every = s.get<std::int64_t>("checkpoint_every", 1, config::at_least(1));
    o.threads = s.get<std::int64_t>("threads", 1, config::at_least(1));
    o.resume_auto = s.choice("resume", {"never", "auto"}, std::string("never")) == "auto";
    o.overlap_allreduce = s.get<bool>("overlap_allreduce", true);
    return o;
  }
};

std::string four_digits(double value) {
  std::ostringstream out;
  out << std::setprecision(4) << value;
  return out.str();
}

std::vector<std::int64_t> range(std::int64_t begin, std::int64_t end) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(end - begin));
  std::iota(out.begin(), out.end(), begin);
  return out;
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

/// Per-sample relative errors of a model on some samples.
struct SampleErrors {
  std::vector<std::int64_t> indices;
  std::vector<double> l2, h1;
};

/// Errors of `model` on this rank's share (i = rank mod P) of `indices`;
/// `predictions` receives the decoded outputs when given.
SampleErrors relative_errors(const Communicator& comm, OperatorModelImpl& model, OperatorData& data,
                             const Normalizer& normalizer, const std::vector<std::int64_t>& indices,
                             std::vector<torch::Tensor>* predictions) {
  torch::NoGradGuard no_grad;
  model.eval();
  SampleErrors errors;
  for (std::size_t k = static_cast<std::size_t>(comm.rank()); k < indices.size(); k += static_cast<std::size_t>(comm.size()))
    errors.indices.push_back(indices[k]);
  const auto& mine = errors.indices;
  for (std::size_t start = 0; start < mine.size(); start += 20) {
    const std::vector<std::int64_t> chunk(mine.begin() + static_cast<long>(start),
                                          mine.begin() + static_cast<long>(std::min(mine.size(), start + 20)));
    const auto [x, y] = data.batch(chunk);
    const auto prediction = normalizer.decode_output(model.forward(normalizer.encode_input(x)));
    const auto l2 = relative_l2(prediction, y), h1 = relative_h1(prediction, y);
    for (std::int64_t i = 0; i < l2.size(0); ++i) {
      errors.l2.push_back(l2[i].item<double>());
      errors.h1.push_back(h1[i].item<double>());
    }
    if (predictions)
      for (std::int64_t i = 0; i < prediction.size(0); ++i) predictions->push_back(prediction[i].contiguous());
  }
  model.train();
  return errors;
}

double mean_over_ranks(const Communicator& comm, const std::vector<double>& values, std::int64_t total) {
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  return comm.allreduce(sum, ReduceOp::sum) / double(total);
}

void write_metrics_row(const std::string& path, const EpochMetrics& m, bool header) {
  std::ofstream out(path, std::ios::app);
  OPFORGE_CHECK(out, IoError, "cannot write '", path, "'");
  if (header)
    out << "epoch,train_loss,test_rel_l2,test_rel_h1,validation_rel_l2,learning_rate,epoch_seconds,"
           "samples_per_second,allreduce_seconds\n";
  out << m.epoch << "," << m.train_loss << "," << m.test_l2 << "," << m.test_h1 << "," << m.validation_l2 << ","
      << m.learning_rate << "," << m.seconds << "," << m.samples_per_second << "," << m.allreduce_seconds << "\n";
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
    out << "{\n  \"model\": \"" << report.model << "\",\n  \"parameters\": " << report.parameters
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

}  // namespace

TrainingReport train_model(const Communicator& comm, const config::Document& document, const TrainCommand& command) {
  // 1. Configuration, validated in full before anything runs.
  const config::Section root = document.root();
  const auto seed = root.get<std::int64_t>("seed", 0, config::non_negative());
  DataOptions data_options = DataOptions::parse(root.section("data"));
  const config::Section model_section = root.section("model");
  const TrainingOptions options = TrainingOptions::parse(root.section_or_empty("training"));
  const std::string run_directory =
      root.section_or_empty("output").get<std::string>("directory", "runs/" + model_section.get<std::string>("type", "fno"));

  OperatorData data(data_options);
  const TrainingLoss loss = TrainingLoss::parse(options.loss_section, data);
  torch::set_num_threads(static_cast<int>(options.threads));
  torch::manual_seed(static_cast<std::uint64_t>(seed));
  auto model = make_model(model_section, data.shape());
  const auto train_indices = range(data_options.train_begin, data_options.train_end);
  const auto test_indices = range(data_options.test_begin, data_options.test_end);
  const auto validation_indices = range(data_options.validation_begin, data_options.validation_end);
  DistributedSampler sampler(train_indices, options.batch_size, static_cast<std::uint64_t>(seed), comm.rank(),
                             comm.size());
  const auto schedule = make_lr_schedule(options.schedule_section, {options.lr, options.epochs, sampler.batches()});
  document.finish();  // every component above has read its keys
  const std::string resolved_yaml = document.resolved_yaml();
  auto optimizer = make_optimizer(options, *model, loss);
  const std::shared_ptr<torch::nn::Module> learned = loss.learned() ? loss.learned().ptr() : nullptr;
  {
    // Labels of the training range are read only when the loss uses them.
    std::vector<std::int64_t> evaluated = test_indices;
    evaluated.insert(evaluated.end(), validation_indices.begin(), validation_indices.end());
    check_finite(comm, data, train_indices, loss.needs_labels());
    if (loss.learned()) evaluated.push_back(loss.learned_options().sample);  // the calibration trajectory
    check_finite(comm, data, evaluated);
  }
  Normalizer normalizer = data_options.normalize ? Normalizer::fit(comm, data, train_indices)
                                                 : Normalizer::identity(data.shape());

  TrainingReport report;
  report.run_directory = run_directory;
  report.model = model->describe();
  report.parameters = count_parameters(*model);
  const std::string checkpoint_path = run_directory + "/checkpoint.pt";
  const std::string best_path = run_directory + "/best.pt";
  const std::string metrics_path = run_directory + "/metrics.csv";
  if (comm.rank() == 0) std::filesystem::create_directories(run_directory);
  comm.barrier();

  // 2. Resume: every rank loads the same checkpoint (model, optimizer and
  //    normaliser from one step), then rank 0's parameters are broadcast.
  std::int64_t first_step = 0;  // optimizer steps already taken in the first epoch
  double resumed_loss_sum = 0;  // their summed loss (global)
  if ((command.resume || options.resume_auto) && std::filesystem::exists(checkpoint_path)) {
    CheckpointReader checkpoint(checkpoint_path);
    check_resumable(checkpoint, resolved_yaml);
    checkpoint.restore(*model, optimizer.get(), normalizer, learned.get());
    const CheckpointContents& contents = checkpoint.contents();
    report.first_epoch = contents.completed_epochs;
    report.best = contents.best;
    first_step = contents.completed_steps;
    resumed_loss_sum = comm.rank() == 0 ? contents.epoch_loss_sum : 0.0;
    logger().info("resuming ", checkpoint_path, " after epoch ", report.first_epoch,
                  first_step > 0 ? " and " + std::to_string(first_step) + " steps of the next" : std::string());
  } else if (comm.rank() == 0) {
    std::filesystem::remove(metrics_path);
    std::ofstream(run_directory + "/config.yaml") << resolved_yaml;
  }
  // What the ranks keep equal: the model and a learned C_s^2.
  torch::nn::Module trained;
  trained.register_module("model", model);
  if (learned) trained.register_module("loss", learned);
  broadcast_parameters(comm, trained);
  GradientSync sync(comm, trained, GradientSync::default_bucket_bytes, options.overlap_allreduce);
  logger().info("train: ", report.model, ", ", report.parameters, " parameters, ", train_indices.size(),
                " training / ", test_indices.size(), " test samples, ", comm.size(), " rank(s), global batch ",
                options.batch_size);

  // 3. Epochs.
  model->train();
  CheckpointContents contents_template;
  contents_template.config_yaml = resolved_yaml;
  contents_template.model_description = report.model;
  contents_template.input_channels = data.layout().input_channels;
  contents_template.output_channels = data.layout().output_channels;
  contents_template.spatial_dims = data.shape().spatial_dims;
  // SIGTERM/SIGUSR1 (or command.stop_after_steps) stop at the next step
  // boundary that all ranks agree on, after a checkpoint of that step.
  const StopSignalHandlers stop_handlers;
  std::int64_t steps_taken = 0;
  bool stopping = false;
  for (std::int64_t epoch = report.first_epoch; epoch < options.epochs && !stopping; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    const double allreduce_before = sync.seconds();
    const bool resumed_epoch = epoch == report.first_epoch && first_step > 0;
    double loss_sum = resumed_epoch ? resumed_loss_sum : 0.0;
    std::int64_t b = resumed_epoch ? first_step : 0;
    for (; b < sampler.batches() && !stopping; ++b) {
      set_learning_rate(*optimizer, schedule->lr(epoch, b), options, loss);
      const auto mine = sampler.local_batch(epoch, b);
      optimizer->zero_grad();
      torch::Tensor objective;
      if (!mine.empty()) {
        torch::Tensor x, y;
        if (loss.needs_labels())
          std::tie(x, y) = data.batch(mine);
        else
          x = data.inputs(mine);
        const auto prediction = normalizer.decode_output(model->forward(normalizer.encode_input(x)));
        const auto errors = loss.per_sample(prediction, x, y);
        // Sum over this rank's part / global batch: the allreduce then yields the global mean.
        objective = errors.sum() / double(sampler.global_batch_size(b));
        loss_sum += errors.sum().item<double>();
      }
      if (learned && comm.rank() == 0) {
        // The calibration term once per step (on one rank: the allreduce sums).
        const auto calibration = loss.calibration(data);
        objective = objective.defined() ? objective + calibration : calibration;
      }
      if (objective.defined()) objective.backward();
      sync.allreduce(1.0);
      if (options.clip_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), options.clip_grad_norm);
      optimizer->step();
      ++steps_taken;
      const bool stop_here =
          stop_requested() || (command.stop_after_steps > 0 && steps_taken >= command.stop_after_steps);
      stopping = comm.allreduce(stop_here ? 1 : 0, ReduceOp::max) != 0;
    }
    if (stopping && b < sampler.batches()) {
      // Mid-epoch: the checkpoint records the steps taken and their loss, so
      // resuming replays nothing and skips nothing.
      CheckpointContents contents = contents_template;
      contents.completed_epochs = epoch;
      contents.completed_steps = b;
      contents.epoch_loss_sum = comm.allreduce(loss_sum, ReduceOp::sum);
      contents.best = report.best;
      save_checkpoint_on_root(comm, checkpoint_path, *model, optimizer.get(), normalizer, contents, learned.get());
      report.stopped_after = {epoch, b};
      break;
    }
    EpochMetrics m;
    m.epoch = epoch + 1;
    m.train_loss = comm.allreduce(loss_sum, ReduceOp::sum) / double(train_indices.size());
    m.learning_rate = schedule->lr(epoch, sampler.batches() - 1);
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.samples_per_second = double(train_indices.size()) / m.seconds;
    m.allreduce_seconds = sync.seconds() - allreduce_before;
    if (!std::isfinite(m.train_loss))
      OPFORGE_THROW(Error, "training diverged in epoch ", m.epoch, " (loss ", m.train_loss,
                    "); the last good checkpoint is ", checkpoint_path);
    const auto test = relative_errors(comm, *model, data, normalizer, test_indices, nullptr);
    const auto test_size = static_cast<std::int64_t>(test_indices.size());
    m.test_l2 = mean_over_ranks(comm, test.l2, test_size);
    m.test_h1 = mean_over_ranks(comm, test.h1, test_size);
    // Model selection: the test error reported is the one at the best validation epoch.
    bool best = false;
    if (!validation_indices.empty()) {
      const auto validation = relative_errors(comm, *model, data, normalizer, validation_indices, nullptr);
      m.validation_l2 = mean_over_ranks(comm, validation.l2, static_cast<std::int64_t>(validation_indices.size()));
      best = report.best.epoch == 0 || m.validation_l2 < report.best.validation_l2;
      if (best) report.best = {m.epoch, m.validation_l2, m.test_l2, m.test_h1};
    }
    report.history.push_back(m);

    if (comm.rank() == 0) write_metrics_row(metrics_path, m, !std::filesystem::exists(metrics_path));
    CheckpointContents contents = contents_template;
    contents.completed_epochs = m.epoch;
    contents.best = report.best;
    // best.pt first: a checkpoint never names a best epoch whose weights are not on disk.
    if (best) save_checkpoint_on_root(comm, best_path, *model, nullptr, normalizer, contents, learned.get());
    if (m.epoch % options.checkpoint_every == 0 || m.epoch == options.epochs || stopping) {
      save_checkpoint_on_root(comm, checkpoint_path, *model, optimizer.get(), normalizer, contents, learned.get());
      if (stopping) report.stopped_after = {m.epoch, 0};
    }
    if (learned) report.learned_smagorinsky_cs2 = loss.learned()->cs2.item<double>();
    const double remaining = m.seconds * double(options.epochs - m.epoch);
    logger().info("epoch ", m.epoch, "/", options.epochs, ": train ", m.train_loss, ", test rel-L2 ", m.test_l2,
                  " H1 ", m.test_h1,
                  validation_indices.empty() ? std::string() : ", validation rel-L2 " + std::to_string(m.validation_l2),
                  learned ? ", C_s^2 " + four_digits(report.learned_smagorinsky_cs2) : std::string(),
                  ", lr ", m.learning_rate, ", ", static_cast<long>(m.samples_per_second), " samples/s, ETA ",
                  format_duration(remaining));
  }
  if (report.stopped_after) {
    logger().info("stopped for requeue", stop_signal() ? " (signal " + std::to_string(stop_signal()) + ")" : std::string(),
                  " after epoch ", report.stopped_after->first, report.stopped_after->second > 0
                      ? " and " + std::to_string(report.stopped_after->second) + " steps of the next" : std::string(),
                  "; checkpoint ", checkpoint_path, "; continue with --resume");
    clear_stop_request();
    comm.barrier();
    return report;
  }
  if (comm.rank() == 0) {
    save_weights(run_directory + "/model.pt", *model);
    if (!report.history.empty()) write_report(run_directory + "/report.json", report, comm.size(), options.epochs);
  }
  comm.barrier();
  return report;
}

EvaluationReport evaluate_model(const Communicator& comm, const config::Document& document,
                                const std::string& checkpoint, const std::string& predictions_path,
                                std::int64_t rollout_calls, const std::string& rollout_directory) {
  const config::Section root = document.root();
  root.get<std::int64_t>("seed", 0, config::non_negative());
  DataOptions data_options = DataOptions::parse(root.section("data"));
  const config::Section model_section = root.section("model");
  const TrainingOptions options = TrainingOptions::parse(root.section_or_empty("training"));
  make_lr_schedule(options.schedule_section, {options.lr, options.epochs, 1});  // validates its keys
  torch::set_num_threads(static_cast<int>(options.threads));  // as in training: roll-out timings depend on it
  root.section_or_empty("output").get<std::string>("directory", "");
  OperatorData data(data_options);
  const TrainingLoss loss = TrainingLoss::parse(options.loss_section, data);
  // The checkpoint is compared with the config and the data before any weight
  // is loaded: a mismatch names its keys instead of failing inside LibTorch.
  auto model = make_model(model_section, data.shape());  // reads the model keys; loads nothing
  document.finish();
  CheckpointReader stored(checkpoint);
  check_fits_evaluation(stored, document.resolved_yaml(), data.layout(), data.shape().spatial_dims);
  OPFORGE_CHECK(predictions_path.empty() || data.frames() == 0, UsageError,
                "--predictions: not available for trajectory datasets; use --rollout CALLS");

  Normalizer normalizer = Normalizer::identity(data.shape());
  stored.restore(*model, nullptr, normalizer);
  const auto test_indices = range(data_options.test_begin, data_options.test_end);
  std::vector<torch::Tensor> predictions;
  const auto errors =
      relative_errors(comm, *model, data, normalizer, test_indices, predictions_path.empty() ? nullptr : &predictions);
  const auto& mine = errors.indices;

  // Gather every error on every rank for median and max.
  std::vector<double> all(test_indices.size(), 0.0);
  for (std::size_t k = 0; k < mine.size(); ++k)
    all[static_cast<std::size_t>(mine[k] - data_options.test_begin)] = errors.l2[k];
  comm.allreduce(all, ReduceOp::sum);
  EvaluationReport report;
  report.mean_h1 = mean_over_ranks(comm, errors.h1, static_cast<std::int64_t>(test_indices.size()));
  report.samples = static_cast<std::int64_t>(all.size());
  report.mean = std::accumulate(all.begin(), all.end(), 0.0) / double(all.size());
  std::vector<double> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  report.median = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                    : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
  report.max = sorted.back();

  if (!predictions_path.empty()) {
    // Predictions as an opforge dataset: /input the model inputs, /output the predictions.
    const auto& source = data.layout();
    io::DatasetLayout layout;
    layout.num_samples = report.samples;
    layout.input_channels = source.input_channels;
    layout.output_channels = source.output_channels;
    for (std::size_t a = 0; a < source.spatial_shape.size(); ++a) {
      std::vector<double> coordinates;
      for (std::size_t i = 0; i < source.coordinates[a].size(); i += static_cast<std::size_t>(data_options.stride))
        coordinates.push_back(source.coordinates[a][i]);
      layout.spatial_shape.push_back(static_cast<std::int64_t>(coordinates.size()));
      layout.coordinates.push_back(coordinates);
    }
    layout.meta = {{"rel_l2", io::MetaType::float64, "relative L2 error of the prediction"},
                   {"rel_h1", io::MetaType::float64, "relative H1 error of the prediction"},
                   {"source_index", io::MetaType::int64, "sample index in the evaluated dataset"}};
    io::Provenance provenance;
    provenance.attributes = {{"checkpoint", checkpoint}, {"dataset", data_options.path}};
    provenance.config_yaml = document.resolved_yaml();
    io::DatasetWriter writer(comm, predictions_path, layout, provenance);
    for (std::size_t k = 0; k < mine.size(); ++k) {
      const auto [x, y] = data.batch({mine[k]});
      const auto input = x.contiguous();
      writer.write_sample(mine[k] - data_options.test_begin, input.data_ptr<float>(), predictions[k].data_ptr<float>(),
                          {{"rel_l2", errors.l2[k]}, {"rel_h1", errors.h1[k]}, {"source_index", mine[k]}});
    }
    writer.finish();
    report.predictions_path = predictions_path;
  }
  if (rollout_calls > 0) {
    // A learned C_s^2 is the loss's; the diagnostics use the reference's physics then.
    const LesResidualOptions physics = loss.type() == "les" && !loss.learned() ? loss.physics() : dataset_physics(data);
    model->eval();
    const auto call = [&](const torch::Tensor& x) {
      return normalizer.decode_output(model->forward(normalizer.encode_input(x)));
    };
    auto directory = rollout_directory.empty() ? std::filesystem::path(checkpoint).parent_path().string()
                                               : rollout_directory;
    if (directory.empty()) directory = ".";
    if (comm.rank() == 0) {  // before the roll-out: a bad directory fails in seconds, not after it
      std::error_code error;
      std::filesystem::create_directories(directory, error);
      OPFORGE_CHECK(!error, IoError, "cannot create the roll-out directory '", directory, "': ", error.message());
    }
    const RolloutReport rolled = rollout(comm, call, data, test_indices, rollout_calls, physics);
    if (comm.rank() == 0) write_rollout(directory, rolled);
    report.rollout_directory = directory;
    report.rollout_frames = rolled.frames;
    report.rollout_l2_first_call = rolled.first_call_l2;
    report.rollout_l2_last_frame = rolled.rel_l2.back();
    report.spectrum_deviation = rolled.spectrum_deviation;
    report.operator_seconds = rolled.operator_seconds;
    report.reference_seconds = rolled.reference_seconds;
    comm.barrier();
  }
  return report;
}

}  // namespace opforge::train
