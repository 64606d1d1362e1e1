// `opforge evaluate`: a checkpoint scored on the config's test split, its
// predictions written as a dataset, trajectories rolled out. One function
// per stage; evaluate_model composes them.

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "opforge/core/communicator.hpp"
#include "opforge/core/error.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/train/data/data.hpp"
#include "opforge/train/loop/checkpoint.hpp"
#include "opforge/train/loop/lr_schedule.hpp"
#include "opforge/train/loop/rollout.hpp"
#include "opforge/train/loop/sample_errors.hpp"
#include "opforge/train/loop/trainer.hpp"
#include "opforge/train/loop/training_loss.hpp"
#include "opforge/train/loop/training_options.hpp"
#include "opforge/train/models/model.hpp"

namespace opforge::train {
namespace {

/// Mean, median and maximum relative L2 and mean H1 over the split, from
/// every rank's share.
void summarize(const Communicator& comm, const SampleErrors& errors, std::int64_t begin, std::size_t count,
               EvaluationReport& report) {
  std::vector<double> all(count, 0.0);
  for (std::size_t k = 0; k < errors.indices.size(); ++k)
    all[static_cast<std::size_t>(errors.indices[k] - begin)] = errors.l2[k];
  comm.allreduce(all, ReduceOp::sum);
  report.mean_h1 = mean_over_ranks(comm, errors.h1, static_cast<std::int64_t>(count));
  report.samples = static_cast<std::int64_t>(all.size());
  report.mean = std::accumulate(all.begin(), all.end(), 0.0) / double(all.size());
  std::sort(all.begin(), all.end());
  report.median = all.size() % 2 ? all[all.size() / 2] : 0.5 * (all[all.size() / 2 - 1] + all[all.size() / 2]);
  report.max = all.back();
}

/// The predictions as an opforge dataset: /input the model inputs, /output
/// the predictions, at the evaluated stride. Collective.
void write_predictions(const Communicator& comm, const std::string& path, OperatorData& data,
                       const DataOptions& options, const SampleErrors& errors,
                       const std::vector<torch::Tensor>& predictions, const std::string& checkpoint,
                       const config::Document& document) {
  const auto& source = data.layout();
  io::DatasetLayout layout;
  layout.num_samples = options.test_end - options.test_begin;
  layout.input_channels = source.input_channels;
  layout.output_channels = source.output_channels;
  for (std::size_t a = 0; a < source.spatial_shape.size(); ++a) {
    std::vector<double> coordinates;
    for (std::size_t i = 0; i < source.coordinates[a].size(); i += static_cast<std::size_t>(options.stride))
      coordinates.push_back(source.coordinates[a][i]);
    layout.spatial_shape.push_back(static_cast<std::int64_t>(coordinates.size()));
    layout.coordinates.push_back(coordinates);
  }
  layout.meta = {{"rel_l2", io::MetaType::float64, "relative L2 error of the prediction"},
                 {"rel_h1", io::MetaType::float64, "relative H1 error of the prediction"},
                 {"source_index", io::MetaType::int64, "sample index in the evaluated dataset"}};
  io::Provenance provenance;
  provenance.attributes = {{"checkpoint", checkpoint}, {"dataset", options.path}};
  provenance.config_yaml = document.resolved_yaml();
  io::DatasetWriter writer(comm, path, layout, provenance);
  const auto& mine = errors.indices;
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const auto input = data.batch({mine[k]}).first.contiguous();
    writer.write_sample(mine[k] - options.test_begin, input.data_ptr<float>(), predictions[k].data_ptr<float>(),
                        {{"rel_l2", errors.l2[k]}, {"rel_h1", errors.h1[k]}, {"source_index", mine[k]}});
  }
  writer.finish();
}

/// Rolls the operator out for `calls` calls on the test trajectories and
/// writes rollout.csv, rollout.json and spectra.csv into `directory`
/// (created first, so that a bad directory fails in seconds).
void roll_out(const Communicator& comm, OperatorModelImpl& model, const Normalizer& normalizer, OperatorData& data,
              const TrainingLoss& loss, const std::vector<std::int64_t>& test, std::int64_t calls,
              const std::string& directory, EvaluationReport& report) {
  // A learned C_s^2 is the loss's; the diagnostics use the reference's physics then.
  const LesResidualOptions physics = loss.type() == "les" && !loss.learned() ? loss.physics() : dataset_physics(data);
  model.eval();
  const auto call = [&](const torch::Tensor& x) { return normalizer.decode_output(model.forward(normalizer.encode_input(x))); };
  if (comm.rank() == 0) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    OPFORGE_CHECK(!error, IoError, "cannot create the roll-out directory '", directory, "': ", error.message());
  }
  const RolloutReport rolled = rollout(comm, call, data, test, calls, physics);
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

}  // namespace

EvaluationReport evaluate_model(const Communicator& comm, const config::Document& document,
                                const std::string& checkpoint, const std::string& predictions_path,
                                std::int64_t rollout_calls, const std::string& rollout_directory) {
  // 1. The config, validated as training validates it (the same keys are known).
  const config::Section root = document.root();
  root.get<std::int64_t>("seed", 0, config::non_negative());
  const DataOptions data_options = DataOptions::parse(root.section("data"));
  const TrainingOptions options = TrainingOptions::parse(root.section_or_empty("training"));
  make_lr_schedule(options.schedule_section, {options.lr, options.epochs, 1});  // validates its keys
  torch::set_num_threads(static_cast<int>(options.threads));  // as in training: roll-out timings depend on it
  root.section_or_empty("output").get<std::string>("directory", "");
  OperatorData data(data_options);
  const TrainingLoss loss = TrainingLoss::parse(options.loss_section, data);
  auto model = make_model(root.section("model"), data.shape());  // reads the model keys; loads nothing
  document.finish();
  OPFORGE_CHECK(predictions_path.empty() || (data.frames() == 0 && !data.autoregressive()), UsageError,
                "--predictions: not available for trajectory datasets; use --rollout CALLS");
  OPFORGE_CHECK(rollout_calls == 0 || !data.autoregressive(), UsageError,
                "--rollout: data.protocol autoregressive is scored by its roll-out already (data.predicted_frames)");

  // 2. The checkpoint, compared with the config and the data before any
  //    weight is loaded: a mismatch names its keys instead of failing inside LibTorch.
  CheckpointReader stored(checkpoint);
  check_fits_evaluation(stored, document.resolved_yaml(), data.layout(), data.shape());
  Normalizer normalizer = Normalizer::identity(data.shape());
  stored.restore(*model, nullptr, normalizer);

  // 3. The test split's errors, then what was asked for besides.
  const auto test = range(data_options.test_begin, data_options.test_end);
  std::vector<torch::Tensor> predictions;
  EvaluationReport report;
  model->eval();  // the evaluation phase's backend, which the report records
  report.spectral_backend = model->spectral_backend();
  const auto errors = relative_errors(comm, *model, data, normalizer, test, predictions_path.empty() ? nullptr : &predictions);
  summarize(comm, errors, data_options.test_begin, test.size(), report);
  if (!predictions_path.empty()) {
    write_predictions(comm, predictions_path, data, data_options, errors, predictions, checkpoint, document);
    report.predictions_path = predictions_path;
  }
  if (rollout_calls > 0) {
    std::string directory =
        rollout_directory.empty() ? std::filesystem::path(checkpoint).parent_path().string() : rollout_directory;
    if (directory.empty()) directory = ".";
    roll_out(comm, *model, normalizer, data, loss, test, rollout_calls, directory, report);
  }
  return report;
}

}  // namespace opforge::train
