#include <gtest/gtest.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/pde/random.hpp"
#include "opforge/train/loop/checkpoint.hpp"
#include "opforge/train/models/fno.hpp"
#include "opforge/train/loop/trainer.hpp"
#include "support/expect_error.hpp"
#include "support/rank_count.hpp"

namespace {

using namespace opforge;

const Communicator& world() { return Environment::current().world(); }
std::string suffix() { return test_support::rank_count_suffix(); }
using test_support::fresh_directory;

/// 24 samples on 16 x 16: input a random smooth field, output its square
/// smoothed: learnable in a few epochs. `nan_at` >= 0 puts a NaN in that output.
/// `inputs` > 1 repeats the input as further channels.
std::string write_dataset(const std::string& name, std::int64_t nan_at = -1, int inputs = 1) {
  const std::string path = name + suffix() + ".h5";
  io::DatasetLayout layout;
  layout.num_samples = 24;
  layout.input_channels = {"a"};
  for (int c = 1; c < inputs; ++c) layout.input_channels.push_back("a" + std::to_string(c));
  layout.output_channels = {"u"};
  layout.spatial_shape = {16, 16};
  layout.coordinates = {io::linspace(0, 1, 16), io::linspace(0, 1, 16)};
  io::DatasetWriter writer(world(), path, layout, {});
  for (std::int64_t i = world().rank(); i < 24; i += world().size()) {
    pde::Random random(pde::sample_seed(1, i));
    const double c1 = random.normal(), c2 = random.normal(), c3 = random.normal();
    std::vector<double> a(256), u(256);
    for (int p = 0; p < 16; ++p)
      for (int q = 0; q < 16; ++q) {
        const double x = p / 15.0, y = q / 15.0;
        a[p * 16 + q] = c1 * std::sin(M_PI * x) + c2 * std::cos(M_PI * y) + c3 * std::sin(2 * M_PI * x * y);
        u[p * 16 + q] = a[p * 16 + q] * a[p * 16 + q] + 0.5 * c1;
      }
    if (i == nan_at) u[17] = NAN;
    std::vector<double> input;
    for (int c = 0; c < inputs; ++c) input.insert(input.end(), a.begin(), a.end());
    writer.write_sample(i, input.data(), u.data(), {});
  }
  writer.finish();
  return path;
}

const std::string small_fno = "{type: fno, modes: [4, 4], width: 8, padding: 2, projection: 16}";
const std::string small_mgno = "{type: mgno, channels: 6, layers: 2, pre_smoothing: [1, 1, 2]}";

config::Document config_for(const std::string& data, const std::string& run, std::int64_t epochs,
                            const std::string& extra = "", const std::string& model = small_fno,
                            const std::string& split = "train: [0, 20], test: [20, 24]") {
  const std::string yaml = "seed: 3\n"
                           "data: {path: " + data + ", " + split + "}\n"
                           "model: " + model + "\n"
                           "training: {epochs: " + std::to_string(epochs) + ", batch_size: 6, " + extra +
                           "optimizer: {type: adam, lr: 0.005}}\n"
                           "output: {directory: " + run + "}\n";
  return config::Document::parse(yaml, "train.yaml");
}

std::vector<torch::Tensor> weights(const std::string& path, const std::string& model_yaml = small_fno) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  const auto doc = config::Document::parse("model: " + model_yaml, "m");
  auto model = train::make_model(doc.root().section("model"), {1, 1, 2});
  model->load(archive);
  return model->parameters();
}

double max_relative_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, ((a[i] - b[i]).abs().max() / (b[i].abs().max() + 1e-12)).item<double>());
  return worst;
}

TEST(Training, LossFallsAndRunDirectoryHoldsCheckpointMetricsAndWeights) {
  const std::string data = write_dataset("train_data");
  const std::string run = "run_learns" + suffix();
  const auto report = train::train_model(world(), config_for(data, run, 8), {});
  ASSERT_EQ(report.history.size(), 8u);
  EXPECT_LT(report.history.back().train_loss, 0.5 * report.history.front().train_loss);
  EXPECT_LT(report.history.back().test_l2, report.history.front().test_l2);
  for (const char* file : {"checkpoint.pt", "model.pt", "metrics.csv", "config.yaml", "report.json"})
    EXPECT_TRUE(std::filesystem::exists(run + "/" + file)) << file;
  const auto evaluation = train::evaluate_model(world(), config_for(data, run, 8), run + "/checkpoint.pt", "");
  EXPECT_NEAR(evaluation.mean, report.history.back().test_l2, 1e-6);
  EXPECT_LE(evaluation.median, evaluation.max);
}

TEST(Training, DataParallelRanksGiveTheParametersOfOneProcessWithTheSameGlobalBatch) {
  const std::string data = write_dataset("train_equivalence");
  const std::string run = "run_parallel" + suffix(), reference = "run_serial" + suffix();
  train::train_model(world(), config_for(data, run, 2), {});
  // The same training on each rank alone (P = 1), global batch unchanged.
  const std::string own = reference + "_rank" + std::to_string(world().rank());
  train::train_model(Communicator::self(), config_for(data, own, 2), {});
  EXPECT_LT(max_relative_difference(weights(run + "/model.pt"), weights(own + "/model.pt")), 1e-4);
}

TEST(Training, DataParallelEquivalenceHoldsForMgnoWithTheH1Loss) {
  const std::string data = write_dataset("train_equivalence_mgno");
  const std::string run = "run_parallel_mgno" + suffix();
  const std::string own = "run_serial_mgno" + suffix() + "_rank" + std::to_string(world().rank());
  train::train_model(world(), config_for(data, run, 2, "loss: h1, ", small_mgno), {});
  train::train_model(Communicator::self(), config_for(data, own, 2, "loss: h1, ", small_mgno), {});
  EXPECT_LT(max_relative_difference(weights(run + "/model.pt", small_mgno), weights(own + "/model.pt", small_mgno)),
            1e-4);
}

TEST(Training, ValidationSplitSelectsTheBestEpochAndKeepsItsWeights) {
  const std::string data = write_dataset("train_validation");
  const std::string run = fresh_directory("run_validation" + suffix());
  const auto report = train::train_model(
      world(), config_for(data, run, 6, "", small_fno, "train: [0, 16], validation: [16, 20], test: [20, 24]"), {});
  ASSERT_EQ(report.history.size(), 6u);
  std::size_t best = 0;
  for (std::size_t e = 0; e < report.history.size(); ++e) {
    EXPECT_TRUE(std::isfinite(report.history[e].validation_l2));
    EXPECT_GT(report.history[e].test_h1, 0.0);
    if (report.history[e].validation_l2 < report.history[best].validation_l2) best = e;
  }
  EXPECT_EQ(report.best.epoch, report.history[best].epoch);
  EXPECT_DOUBLE_EQ(report.best.test_l2, report.history[best].test_l2);
  // best.pt holds that epoch's weights: evaluating it reproduces its test error.
  const auto evaluation = train::evaluate_model(
      world(), config_for(data, run, 6, "", small_fno, "train: [0, 16], validation: [16, 20], test: [20, 24]"),
      run + "/best.pt", "");
  EXPECT_NEAR(evaluation.mean, report.best.test_l2, 1e-6);
  EXPECT_NEAR(evaluation.mean_h1, report.best.test_h1, 1e-6);
  std::ifstream json(run + "/report.json");
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"best\": {\"epoch\": " + std::to_string(report.best.epoch) + ","), std::string::npos) << text;
}

TEST(Training, OverlappingSplitsAreRefused) {
  const std::string data = write_dataset("train_overlap");
  const std::string message = test_support::message_of<ConfigError>([&] {
    train::train_model(world(), config_for(data, "run_overlap" + suffix(), 1, "", small_fno, "train: [0, 20], test: [18, 24]"),
                       {});
  });
  EXPECT_NE(message.find("data.test: overlaps the training range"), std::string::npos) << message;
}

TEST(Training, ResumingAfterTwoEpochsEqualsFourEpochsStraight) {
  // A learning rate that changes every epoch: resuming must restore the
  // schedule's position as well as the model and optimizer state.
  const std::string data = write_dataset("train_resume");
  const std::string straight = fresh_directory("run_straight" + suffix());
  const std::string resumed = fresh_directory("run_resumed" + suffix());
  const std::string schedule = "schedule: {type: step, step_size: 1, gamma: 0.7}, ";
  train::train_model(world(), config_for(data, straight, 4, schedule), {});
  train::train_model(world(), config_for(data, resumed, 2, schedule), {});
  train::TrainCommand resume;
  resume.resume = true;
  const auto second = train::train_model(world(), config_for(data, resumed, 4, schedule), resume);
  EXPECT_NEAR(second.history.front().learning_rate, 0.005 * 0.7 * 0.7, 1e-12);
  EXPECT_EQ(second.first_epoch, 2);
  EXPECT_EQ(second.history.size(), 2u);
  EXPECT_LT(max_relative_difference(weights(resumed + "/model.pt"), weights(straight + "/model.pt")), 1e-6);
}

TEST(Training, PreemptedMidEpochAndResumedEqualsAnUninterruptedRun) {
  // 20 samples, global batch 6: 4 steps per epoch. Stop after 6 steps (epoch 2,
  // step 2), resume, finish 3 epochs: same parameters and losses as straight.
  const std::string data = write_dataset("train_preempt");
  const std::string straight = fresh_directory("run_preempt_straight" + suffix());
  const std::string stopped = fresh_directory("run_preempt_stopped" + suffix());
  const std::string schedule = "schedule: {type: onecycle}, ";
  const auto reference = train::train_model(world(), config_for(data, straight, 3, schedule), {});
  train::TrainCommand preempt;
  preempt.stop_after_steps = 6;
  const auto first = train::train_model(world(), config_for(data, stopped, 3, schedule), preempt);
  ASSERT_TRUE(first.stopped_after.has_value());
  EXPECT_EQ(*first.stopped_after, std::make_pair(std::int64_t{1}, std::int64_t{2}));
  EXPECT_FALSE(std::filesystem::exists(stopped + "/model.pt"));  // not final
  train::TrainCommand resume;
  resume.resume = true;
  const auto second = train::train_model(world(), config_for(data, stopped, 3, schedule), resume);
  EXPECT_FALSE(second.stopped_after.has_value());
  ASSERT_EQ(second.history.size(), 2u);
  EXPECT_NEAR(second.history.front().train_loss, reference.history[1].train_loss, 1e-6);
  EXPECT_LT(max_relative_difference(weights(stopped + "/model.pt"), weights(straight + "/model.pt")), 1e-6);
}

TEST(Training, PreemptedAtAnEpochEndResumesWithResumeAuto) {
  const std::string data = write_dataset("train_preempt_auto");
  const std::string run = fresh_directory("run_preempt_auto" + suffix());
  train::TrainCommand preempt;
  preempt.stop_after_steps = 4;  // exactly one epoch
  const auto first = train::train_model(world(), config_for(data, run, 2, "resume: auto, "), preempt);
  ASSERT_TRUE(first.stopped_after.has_value());
  EXPECT_EQ(*first.stopped_after, std::make_pair(std::int64_t{1}, std::int64_t{0}));
  const auto second = train::train_model(world(), config_for(data, run, 2, "resume: auto, "), {});
  EXPECT_EQ(second.first_epoch, 1);
  EXPECT_EQ(second.history.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(run + "/model.pt"));
}

TEST(Training, DatasetWithNanIsRefusedOnEveryRankNamingTheSample) {
  const std::string poisoned = write_dataset("train_nan", 5);
  const std::string message = test_support::message_of<IoError>(
      [&] { train::train_model(world(), config_for(poisoned, fresh_directory("run_nan_data" + suffix()), 1), {}); });
  EXPECT_NE(message.find("dataset '" + poisoned + "': sample 5 has a NaN or infinite value in /output"),
            std::string::npos)
      << message;
}

TEST(Training, DivergenceStopsWithAClearErrorAndKeepsTheLastGoodCheckpoint) {
  const std::string data = write_dataset("train_diverge");
  const std::string run = fresh_directory("run_diverge" + suffix());
  const std::string message = test_support::message_of<Error>([&] {
    // An absurd learning rate from epoch 2 on: the parameters overflow within it.
    train::train_model(world(), config_for(data, run, 3, "schedule: {type: step, step_size: 1, gamma: 1.0e+30}, "), {});
  });
  EXPECT_NE(message.find("training diverged in epoch 2"), std::string::npos) << message;
  // The checkpoint on disk is epoch 1's, and it evaluates to finite errors.
  EXPECT_EQ(train::CheckpointReader(run + "/checkpoint.pt").contents().completed_epochs, 1);
  const auto evaluation = train::evaluate_model(world(), config_for(data, run, 3), run + "/checkpoint.pt", "");
  EXPECT_TRUE(std::isfinite(evaluation.mean));
}

TEST(Training, UnwritableCheckpointIsAClearErrorOnEveryRankAndKeepsThePreviousOne) {
  // A directory where the temporary checkpoint file must go: unwritable even for root.
  const std::string data = write_dataset("train_unwritable");
  const std::string run = fresh_directory("run_unwritable" + suffix());
  train::train_model(world(), config_for(data, run, 1), {});
  const auto before = std::filesystem::last_write_time(run + "/checkpoint.pt");
  if (world().rank() == 0) std::filesystem::create_directories(run + "/checkpoint.pt.tmp/blocked");
  world().barrier();
  const std::string message = test_support::message_of<IoError>([&] {
    train::TrainCommand resume;
    resume.resume = true;
    train::train_model(world(), config_for(data, run, 2), resume);
  });
  EXPECT_NE(message.find("cannot write checkpoint '" + run + "/checkpoint.pt.tmp' (the previous '" + run +
                         "/checkpoint.pt' is untouched)"),
            std::string::npos)
      << message;
  EXPECT_EQ(std::filesystem::last_write_time(run + "/checkpoint.pt"), before);
  EXPECT_NO_THROW(train::evaluate_model(world(), config_for(data, run, 2), run + "/checkpoint.pt", ""));
}

TEST(Training, BadTrainingConfigNamesTheKey) {
  const std::string data = write_dataset("train_config");
  const std::string message = test_support::message_of<ConfigError>([&] {
    train::train_model(world(), config_for(data, "run_bad" + suffix(), 2, "batch_sise: 4, "), {});
  });
  EXPECT_NE(message.find("training.batch_sise: unknown key (did you mean 'batch_size'?)"), std::string::npos)
      << message;
}

/// Rank 0 copies `from` to `to` with `count` bytes in the middle inverted.
void corrupt_copy(const std::string& from, const std::string& to, std::size_t count) {
  if (world().rank() == 0) {
    std::ifstream in(from, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::size_t k = 0; k < count; ++k) bytes[bytes.size() / 2 + k] = static_cast<char>(~bytes[bytes.size() / 2 + k]);
    std::ofstream(to, std::ios::binary) << bytes;
  }
  world().barrier();
}

TEST(Checkpoints, ACorruptedCheckpointIsRefusedNamingTheFile) {
  const std::string data = write_dataset("train_corrupt");
  const std::string run = fresh_directory("run_corrupt" + suffix());
  train::train_model(world(), config_for(data, run, 1, "", small_fno, "train: [0, 16], validation: [16, 20], test: [20, 24]"), {});
  for (const std::string name : {"checkpoint", "best"}) {
    const std::string corrupted = run + "/" + name + "_corrupted.pt";
    corrupt_copy(run + "/" + name + ".pt", corrupted, 4);
    const std::string message = test_support::message_of<IoError>(
        [&] { train::evaluate_model(world(), config_for(data, run, 1), corrupted, ""); });
    EXPECT_NE(message.find("checkpoint '" + corrupted + "' is corrupted"), std::string::npos) << message;
  }
  // Truncated: the end of the archive (its directory) is missing.
  if (world().rank() == 0) {
    std::filesystem::copy_file(run + "/checkpoint.pt", run + "/truncated.pt");
    std::filesystem::resize_file(run + "/truncated.pt", std::filesystem::file_size(run + "/truncated.pt") / 2);
  }
  world().barrier();
  const std::string message = test_support::message_of<IoError>(
      [&] { train::evaluate_model(world(), config_for(data, run, 1), run + "/truncated.pt", ""); });
  EXPECT_NE(message.find("checkpoint '" + run + "/truncated.pt' is corrupted"), std::string::npos) << message;
  // The intact file still loads.
  EXPECT_NO_THROW(train::evaluate_model(world(), config_for(data, run, 1), run + "/checkpoint.pt", ""));
}

// What the checkpoint fuzz target found: a missing entry raised LibTorch's
// own exception type, which no handler of the loader caught.
TEST(Checkpoints, ACheckpointWithoutItsEntriesIsAnIoError) {
  const std::string path = "entries_missing" + suffix() + ".pt";
  if (world().rank() == 0) {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string("opforge-checkpoint-1")));
    archive.write("completed_epochs", torch::tensor(std::int64_t(1)));
    archive.save_to(path);
  }
  world().barrier();
  const std::string message = test_support::message_of<IoError>([&] { train::CheckpointReader reader(path); });
  EXPECT_NE(message.find("cannot read checkpoint '" + path + "': "), std::string::npos) << message;
}

TEST(Checkpoints, EvaluatingWithAnotherModelOrDataNamesWhatDiffers) {
  const std::string data = write_dataset("train_fit");
  const std::string run = fresh_directory("run_fit" + suffix());
  train::train_model(world(), config_for(data, run, 1), {});
  const std::string wider = "{type: fno, modes: [4, 4], width: 16, padding: 2, projection: 16}";
  std::string message = test_support::message_of<ConfigError>(
      [&] { train::evaluate_model(world(), config_for(data, run, 1, "", wider), run + "/checkpoint.pt", ""); });
  EXPECT_NE(message.find("checkpoint '" + run + "/checkpoint.pt' does not fit this model and data: "
                         "model.width: checkpoint 8, config 16"),
            std::string::npos)
      << message;
  const std::string two_inputs = write_dataset("train_fit_two_inputs", -1, 2);
  message = test_support::message_of<ConfigError>(
      [&] { train::evaluate_model(world(), config_for(two_inputs, run, 1), run + "/checkpoint.pt", ""); });
  EXPECT_NE(message.find("input channels: checkpoint [a], dataset [a, a1]"), std::string::npos) << message;
  // How the transform is computed is not the model: the dft-trained weights evaluate with fft.
  const std::string fft = "{type: fno, modes: [4, 4], width: 8, padding: 2, projection: 16, spectral_transform: fft}";
  const auto dft_errors = train::evaluate_model(world(), config_for(data, run, 1), run + "/checkpoint.pt", "");
  const auto fft_errors = train::evaluate_model(world(), config_for(data, run, 1, "", fft), run + "/checkpoint.pt", "");
  EXPECT_NEAR(fft_errors.mean, dft_errors.mean, 1e-5 * dft_errors.mean);
}

TEST(Checkpoints, ResumingAnotherExperimentIsRefusedListingTheKeys) {
  const std::string data = write_dataset("train_resume_changed");
  const std::string run = fresh_directory("run_resume_changed" + suffix());
  train::train_model(world(), config_for(data, run, 1), {});
  train::TrainCommand resume;
  resume.resume = true;
  auto changed = config_for(data, run, 2);
  changed.apply_overrides({"training.optimizer.lr=0.01", "model.width=16"});
  const std::string message =
      test_support::message_of<ConfigError>([&] { train::train_model(world(), changed, resume); });
  EXPECT_NE(message.find("--resume: checkpoint '" + run + "/checkpoint.pt' is from another experiment: "),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("model.width: checkpoint 8, config 16"), std::string::npos) << message;
  EXPECT_NE(message.find("training.optimizer.lr: checkpoint 0.005, config 0.01"), std::string::npos) << message;
  EXPECT_EQ(message.find("training.epochs:"), std::string::npos) << message;  // changed too, and allowed
  // Another dataset is another experiment too.
  const std::string other = write_dataset("train_resume_other");
  EXPECT_THROW(train::train_model(world(), config_for(other, run, 2), resume), ConfigError);
  // The keys that may change: more epochs, another thread count.
  auto longer = config_for(data, run, 2);
  longer.apply_overrides({"training.threads=2"});
  const auto second = train::train_model(world(), longer, resume);
  EXPECT_EQ(second.first_epoch, 1);
  EXPECT_EQ(second.history.size(), 1u);
}

// A checkpoint saved before a model key existed resumes: its model section
// reads with the key's default, what that version built.
TEST(Checkpoints, ResumingACheckpointFromBeforeAModelKeyExistedReadsItsDefault) {
  const std::string data = write_dataset("train_resume_older");
  const std::string run = fresh_directory("run_resume_older" + suffix());
  train::train_model(world(), config_for(data, run, 1), {});
  const std::string path = run + "/checkpoint.pt";
  if (world().rank() == 0) {  // rewrite it as an older version would have: no model.layers
    train::CheckpointReader reader(path);
    const train::ModelShape shape{1, 1, 2};
    auto model = train::make_model(config::Document::parse("model: " + small_fno, "m").root().section("model"), shape);
    torch::optim::Adam optimizer(model->parameters());
    auto normalizer = train::Normalizer::identity(shape);
    reader.restore(*model, &optimizer, normalizer);
    train::CheckpointContents older = reader.contents();
    YAML::Node stored = YAML::Load(older.config_yaml);
    EXPECT_TRUE(stored["model"]["layers"]);  // EXPECT, not ASSERT: rank 1 waits at the barrier below
    stored["model"].remove("layers");
    YAML::Emitter out;
    out << stored;
    older.config_yaml = out.c_str();
    train::save_checkpoint(path, *model, &optimizer, normalizer, older);
  }
  world().barrier();
  train::TrainCommand resume;
  resume.resume = true;
  const auto second = train::train_model(world(), config_for(data, run, 2), resume);
  EXPECT_EQ(second.first_epoch, 1);
  // A key that differs from the default is still another experiment.
  EXPECT_NE(test_support::message_of<ConfigError>([&] {
              const std::string two_layers = "{type: fno, modes: [4, 4], width: 8, padding: 2, projection: 16, layers: 2}";
              train::train_model(world(), config_for(data, run, 3, "", two_layers), resume);
            }).find("model.layers: checkpoint 4, config 2"),
            std::string::npos);
}

}  // namespace
