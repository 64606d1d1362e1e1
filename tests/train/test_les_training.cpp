// Training space-time operators on LES trajectories with the physics loss,
// through the ordinary trainer: no labels read, ranks equivalent, roll-out.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "opforge/config/config.hpp"
#include "opforge/core/communicator.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/pde/les3d.hpp"
#include "opforge/pde/random.hpp"
#include "opforge/io/dataset_reader.hpp"
#include "opforge/train/loop/checkpoint.hpp"
#include "opforge/train/models/model.hpp"
#include "opforge/train/loop/trainer.hpp"
#include "support/expect_error.hpp"
#include "support/rank_count.hpp"

namespace {

using namespace opforge;

const Communicator& world() { return Environment::current().world(); }
std::string suffix() { return test_support::rank_count_suffix(); }
using test_support::fresh_directory;

constexpr std::int64_t n = 8, frames = 4, samples = 9;

/// 9 trajectories on 8^3 (4 frames 0.02 apart). The training samples [0, 6)
/// get NaN labels: physics-only training must never read them. [6, 8) is
/// the test range; 8 is a labelled trajectory outside both (calibration).
std::string write_trajectories(const std::string& name) {
  const std::string path = name + suffix() + ".h5";
  pde::Les3dOptions les;
  les.resolution = n;
  les.peak_wavenumber = 2.0;
  io::DatasetLayout layout;
  layout.num_samples = samples;
  layout.input_channels = layout.output_channels = {"u", "v", "w"};
  layout.spatial_shape = {n, n, n};
  layout.coordinates.assign(3, io::linspace(0, 2 * M_PI * (n - 1) / n, n));
  layout.time_steps = frames;
  for (std::int64_t k = 1; k <= frames; ++k) layout.times.push_back(0.02 * double(k));
  io::Provenance provenance;
  provenance.attributes = {{"les_viscosity", std::to_string(les.viscosity)},
                           {"les_smagorinsky_cs2", std::to_string(les.smagorinsky_cs2)},
                           {"les_filter_width", std::to_string(les.delta())},
                           {"les_frame_interval", "0.02"}};
  io::DatasetWriter writer(world(), path, layout, provenance);
  pde::Les3dSolver solver(les);
  for (std::int64_t i = world().rank(); i < samples; i += world().size()) {
    solver.set_velocity(pde::random_isotropic_field(les, pde::sample_seed(5, i)));
    const auto initial = solver.velocity();
    std::vector<double> output;
    for (std::int64_t k = 0; k < frames; ++k) {
      solver.advance(0.02);
      const auto frame = solver.velocity();
      output.insert(output.end(), frame.begin(), frame.end());
    }
    if (i < 6) std::fill(output.begin(), output.end(), std::nan(""));
    writer.write_sample(i, initial.data(), output.data(), {});
  }
  writer.finish();
  return path;
}

const std::string tiny_fno =
    "{type: fno, modes: [2, 2, 2, 2], width: 4, layers: 2, padding: [0, 0, 0, 2], projection: 8, input_skip: true}";

config::Document config_for(const std::string& data, const std::string& run, const std::string& loss,
                            const std::string& model = tiny_fno, int epochs = 3) {
  const std::string yaml = "seed: 1\n"
                           "data: {path: " + data + ", train: [0, 6], test: [6, 8], normalize: false, frames: 4}\n"
                           "model: " + model + "\n"
                           "training: {epochs: " + std::to_string(epochs) + ", batch_size: 2, loss: " + loss +
                           ", optimizer: {type: adam, lr: 0.003, weight_decay: 0}}\n"
                           "output: {directory: " + run + "}\n";
  return config::Document::parse(yaml, "les.yaml");
}

std::vector<torch::Tensor> weights(const std::string& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  auto model = train::make_model(config::Document::parse("model: " + tiny_fno, "m").root().section("model"), {3, 3, 4});
  model->load(archive);
  return model->parameters();
}

TEST(LesTraining, PhysicsOnlyTrainingReadsNoLabelsAndLowersTheResidual) {
  const std::string data = write_trajectories("les_physics");
  const std::string run = fresh_directory("run_les_physics" + suffix());
  const auto report = train::train_model(world(), config_for(data, run, "{type: les}"), {});
  ASSERT_EQ(report.history.size(), 3u);
  EXPECT_TRUE(std::isfinite(report.history.back().test_l2));
  EXPECT_LT(report.history.back().train_loss, report.history.front().train_loss);
  // With labels in the loss the NaN labels are found and refused.
  const std::string data_run = fresh_directory(run + "_data");
  EXPECT_THROW(train::train_model(world(), config_for(data, data_run, "{type: les, data_weight: 1}"), {}), IoError);
}

TEST(LesTraining, DataParallelRanksMatchOneProcessWithThePhysicsLoss) {
  const std::string data = write_trajectories("les_parallel");
  const std::string run = fresh_directory("run_les_parallel" + suffix());
  const std::string own = "run_les_serial" + suffix() + "_rank" + std::to_string(world().rank());
  std::filesystem::remove_all(own);
  train::train_model(world(), config_for(data, run, "{type: les}"), {});
  train::train_model(Communicator::self(), config_for(data, own, "{type: les}"), {});
  const auto a = weights(run + "/model.pt"), b = weights(own + "/model.pt");
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, ((a[i] - b[i]).abs().max() / (b[i].abs().max() + 1e-12)).item<double>());
  EXPECT_LT(worst, 1e-4);
}

TEST(LesTraining, ALearnedSmagorinskyCoefficientFindsTheReferenceValueAtAnyRankCountAndResumes) {
  // C_s^2 starts at 1e-8 (the LESnets code's start) and is calibrated on the
  // labelled trajectory 8, simulated with C_s^2 = 0.01.
  const std::string data = write_trajectories("les_learned");
  const std::string run = fresh_directory("run_les_learned" + suffix());
  const std::string own = "run_les_learned_serial" + suffix() + "_rank" + std::to_string(world().rank());
  std::filesystem::remove_all(own);
  const std::string loss = "{type: les, learn_smagorinsky_cs2: {sample: 8, lr: 0.002, weight: 1000}}";
  const auto report = train::train_model(world(), config_for(data, run, loss, tiny_fno, 30), {});
  EXPECT_NEAR(report.learned_smagorinsky_cs2, 0.01, 0.0005);  // measured 0.00991 after 90 steps
  if (world().size() > 1) {  // one process against itself would prove nothing
    const auto serial = train::train_model(Communicator::self(), config_for(data, own, loss, tiny_fno, 30), {});
    EXPECT_NEAR(report.learned_smagorinsky_cs2, serial.learned_smagorinsky_cs2, 1e-6 * 0.01);
  }
  // Pre-empted after 7 steps and resumed: the coefficient and its Adam state
  // come back from the checkpoint.
  const std::string resumed = fresh_directory("run_les_learned_resumed" + suffix());
  train::TrainCommand preempt;
  preempt.stop_after_steps = 7;
  train::train_model(world(), config_for(data, resumed, loss, tiny_fno, 30), preempt);
  train::TrainCommand resume;
  resume.resume = true;
  const auto second = train::train_model(world(), config_for(data, resumed, loss, tiny_fno, 30), resume);
  EXPECT_NEAR(second.learned_smagorinsky_cs2, report.learned_smagorinsky_cs2, 1e-6 * 0.01);
  // A checkpoint without the coefficient cannot resume such a run: the loss changed.
  const std::string fixed = fresh_directory("run_les_fixed_then_learned" + suffix());
  train::train_model(world(), config_for(data, fixed, "{type: les}", tiny_fno, 1), {});
  const std::string message = test_support::message_of<ConfigError>(
      [&] { train::train_model(world(), config_for(data, fixed, loss, tiny_fno, 2), resume); });
  EXPECT_NE(message.find("training.loss.learn_smagorinsky_cs2"), std::string::npos) << message;
}

TEST(LesTraining, ALearnedCoefficientRefusesAFixedOneBesideItAndATestTrajectory) {
  const std::string data = write_trajectories("les_learned_errors");
  const std::string run = fresh_directory("run_les_learned_errors" + suffix());
  EXPECT_THROW(train::train_model(world(), config_for(data, run, "{type: les, smagorinsky_cs2: 0.01, "
                                                                 "learn_smagorinsky_cs2: {sample: 8}}"), {}),
               ConfigError);
  for (const char* sample : {"7", "9"})  // a test sample; beyond the dataset
    EXPECT_THROW(train::train_model(world(), config_for(data, run, std::string("{type: les, learn_smagorinsky_cs2: "
                                                                               "{sample: ") + sample + "}}"), {}),
                 ConfigError);
  // The default calibration trajectory is the first training sample, whose labels here are NaN.
  EXPECT_THROW(train::train_model(world(), config_for(data, run, "{type: les, learn_smagorinsky_cs2: {}}"), {}),
               IoError);
}

TEST(LesTraining, RolloutWritesPerFrameErrorsEnergiesAndSpectra) {
  const std::string data = write_trajectories("les_rollout");
  const std::string run = fresh_directory("run_les_rollout" + suffix());
  // Two calls of two frames cover the four stored frames.
  const auto model = "{type: ifno, modes: [2, 2, 2, 2], width: 4, iterations: 3, input_skip: true}";
  const std::string yaml = "seed: 1\n"
                           "data: {path: " + data + ", train: [0, 6], test: [6, 8], normalize: false, frames: 2}\n"
                           "model: " + std::string(model) + "\n"
                           "training: {epochs: 1, batch_size: 2, loss: {type: les}}\n"
                           "output: {directory: " + run + "}\n";
  train::train_model(world(), config::Document::parse(yaml, "les.yaml"), {});
  const auto report = train::evaluate_model(world(), config::Document::parse(yaml, "les.yaml"), run + "/checkpoint.pt", "", 2);
  EXPECT_EQ(report.rollout_frames, 4);
  // The first call's error computed here on its own: the checkpoint's model
  // on u0 repeated over 2 frames, against the frames read with the reader.
  const auto doc = config::Document::parse("model: " + std::string(model), "m");
  auto operator_model = train::make_model(doc.root().section("model"), {3, 3, 4});
  train::Normalizer normalizer = train::Normalizer::identity({3, 3, 4});
  train::CheckpointReader(run + "/checkpoint.pt").restore(*operator_model, nullptr, normalizer);
  operator_model->eval();
  torch::NoGradGuard no_grad;
  const io::DatasetReader reader(data);
  const std::int64_t field = 3 * n * n * n;
  double sum = 0;
  for (const std::int64_t i : {6, 7}) {
    std::vector<double> initial(static_cast<std::size_t>(field)), stored(static_cast<std::size_t>(frames * field));
    reader.read_inputs({i}, initial.data());
    reader.read_outputs({i}, stored.data());
    const auto u0 = torch::tensor(initial, torch::kFloat32).view({1, 3, n, n, n, 1}).expand({1, 3, n, n, n, 2});
    const auto predicted = operator_model->forward(u0.contiguous()).to(torch::kFloat64);
    for (std::int64_t f = 0; f < 2; ++f) {
      const auto truth = torch::tensor(stored, torch::kFloat64).narrow(0, f * field, field).view({3, n, n, n});
      sum += ((predicted[0].select(-1, f) - truth).norm() / truth.norm()).item<double>();
    }
  }
  EXPECT_NEAR(report.rollout_l2_first_call, sum / 4, 1e-5 * sum / 4);
  EXPECT_THROW(train::evaluate_model(world(), config::Document::parse(yaml, "les.yaml"), run + "/checkpoint.pt", "", 3),
               UsageError);  // 6 frames > 4 stored
  world().barrier();
  std::ifstream csv(run + "/rollout.csv");
  std::string line;
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 1 + 4);
  EXPECT_TRUE(std::filesystem::exists(run + "/spectra.csv"));
}

}  // namespace
