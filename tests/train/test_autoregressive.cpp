// The autoregressive protocol on trajectory datasets (data.protocol:
// autoregressive): windows of stored frames as model inputs, the roll-out
// that slides the window by each predicted frame, the roll-out loss, and an
// FNO that learns a transport from them.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/pde/random.hpp"
#include "opforge/train/data/data.hpp"
#include "opforge/train/loop/forecast.hpp"
#include "opforge/train/loop/trainer.hpp"
#include "opforge/train/loop/training_loss.hpp"
#include "support/expect_error.hpp"
#include "support/rank_count.hpp"

namespace {

using namespace opforge;

const Communicator& world() { return Environment::current().world(); }
std::string suffix() { return test_support::rank_count_suffix(); }

constexpr std::int64_t n = 16, frames = 8, samples = 24;

/// Frame values chosen so that every entry names its place: 1000 sample +
/// 10 frame + channel + point / 1000; frame 0 is /input, stored frame k
/// (0-based) of /output is frame k + 1.
double label(std::int64_t sample, std::int64_t frame, std::int64_t channel, std::int64_t point) {
  return 1000.0 * double(sample) + 10.0 * double(frame) + double(channel) + 1e-3 * double(point);
}

/// `samples` trajectories of `frames` frames on n x n, two channels. With
/// `transport`, channel values are a random periodic field moved one cell
/// along x per frame (a Fourier multiplier: learnable by an FNO); otherwise
/// label().
std::string write_trajectories(const std::string& name, bool transport) {
  const std::string path = name + suffix() + ".h5";
  io::DatasetLayout layout;
  layout.num_samples = samples;
  layout.input_channels = {"w0", "w1"};
  layout.output_channels = {"w0", "w1"};
  layout.spatial_shape = {n, n};
  layout.coordinates.assign(2, io::linspace(0, double(n - 1) / double(n), n));
  layout.time_steps = frames;
  for (std::int64_t k = 1; k <= frames; ++k) layout.times.push_back(double(k));
  io::DatasetWriter writer(world(), path, layout, {});
  for (std::int64_t i = world().rank(); i < samples; i += world().size()) {
    pde::Random random(pde::sample_seed(7, i));
    std::vector<double> a(6);
    for (double& c : a) c = random.normal();
    auto field = [&](std::int64_t t, std::int64_t c, std::int64_t p, std::int64_t q) {
      if (!transport) return label(i, t, c, p * n + q);
      const double x = 2 * M_PI * double(p - t) / double(n), y = 2 * M_PI * double(q) / double(n);
      return a[3 * c] * std::sin(x) + a[3 * c + 1] * std::cos(2 * x + y) + a[3 * c + 2] * std::sin(y);
    };
    std::vector<double> initial, output;
    for (std::int64_t t = 0; t <= frames; ++t)
      for (std::int64_t c = 0; c < 2; ++c)
        for (std::int64_t p = 0; p < n; ++p)
          for (std::int64_t q = 0; q < n; ++q) (t == 0 ? initial : output).push_back(field(t, c, p, q));
    writer.write_sample(i, initial.data(), output.data(), {});
  }
  writer.finish();
  return path;
}

config::Document data_config(const std::string& path, const std::string& extra,
                             const std::string& protocol = "autoregressive") {
  return config::Document::parse(
      "data: {path: " + path + ", train: [0, 4], test: [20, 24], protocol: " + protocol + extra + "}\n", "data.yaml");
}

/// The ConfigError message of opening `path` with data_config(path, extra, protocol).
std::string config_error(const std::string& path, const std::string& extra,
                         const std::string& protocol = "autoregressive") {
  return test_support::message_of<ConfigError>([&] {
    const auto doc = data_config(path, extra, protocol);
    train::OperatorData data(train::DataOptions::parse(doc.root().section("data")));
  });
}

// FNO-3D's protocol (data.protocol: space_time with input_frames): /input and
// the first T_in - 1 stored frames as channels, repeated over the K frames of
// the time axis, map to the K frames after them.
TEST(SpaceTime, InputFramesAreTheInitialWindowRepeatedOverTimeAndTheTargetsTheFramesAfterIt) {
  const auto path = write_trajectories("labelled_space_time", false);
  const auto doc = data_config(path, ", input_frames: 3, frames: 4", "space_time");
  train::OperatorData data(train::DataOptions::parse(doc.root().section("data")));
  EXPECT_EQ(data.shape().in_channels, 6);  // 3 frames x 2 channels
  EXPECT_EQ(data.shape().out_channels, 2);
  EXPECT_EQ(data.shape().spatial_dims, 3);  // x, y, t
  const auto [x, y] = data.batch({21});
  ASSERT_EQ(x.sizes(), (std::vector<std::int64_t>{1, 6, n, n, 4}));
  ASSERT_EQ(y.sizes(), (std::vector<std::int64_t>{1, 2, n, n, 4}));
  const std::int64_t point = 5 * n + 7;
  for (std::int64_t k = 0; k < 4; ++k) {
    for (std::int64_t j = 0; j < 6; ++j)  // frame-major: frame j / 2 (0: /input), component j % 2
      EXPECT_NEAR(x[0][j][5][7][k].item<double>(), label(21, j / 2, j % 2, point), 1e-2) << j << " " << k;
    for (std::int64_t c = 0; c < 2; ++c)
      EXPECT_NEAR(y[0][c][5][7][k].item<double>(), label(21, 3 + k, c, point), 1e-2) << c << " " << k;
  }
  EXPECT_NE(test_support::message_of<UsageError>([&] { data.trajectory(21); }).find("needs data.input_frames: 1"),
            std::string::npos);
  auto message = [&](const std::string& extra) { return config_error(path, extra, "space_time"); };
  EXPECT_NE(message(", input_frames: 9").find("data.input_frames: 9 input frames leave none to predict"),
            std::string::npos)
      << message(", input_frames: 9");
  EXPECT_NE(message(", input_frames: 6, frames: 4").find("data.frames: 4 frames per call after 6 input frames, but"),
            std::string::npos)
      << message(", input_frames: 6, frames: 4");
  EXPECT_NE(message(", predicted_frames: 2").find("data.predicted_frames: applies to protocol: autoregressive"),
            std::string::npos);
}

TEST(Autoregressive, WindowsAreTheStoredFramesAsChannelsAndTheFramesAfterThem) {
  const auto path = write_trajectories("labelled_trajectories", false);
  const auto doc = data_config(path, ", input_frames: 3, predicted_frames: 4, train_rollout: 2");
  train::OperatorData data(train::DataOptions::parse(doc.root().section("data")));
  EXPECT_EQ(data.shape().in_channels, 6);  // 3 frames x 2 channels
  EXPECT_EQ(data.shape().out_channels, 2);
  EXPECT_EQ(data.shape().spatial_dims, 2);
  // R = 2 of T = 4: windows start at 0, 1, 2 of each trajectory.
  const auto examples = data.training_examples({0, 1, 2, 3});
  ASSERT_EQ(examples.size(), 12u);
  const auto [x, y] = data.training_batch({examples[2 * 3 + 1]});  // trajectory 2, start 1
  ASSERT_EQ(x.sizes(), (std::vector<std::int64_t>{1, 6, n, n}));
  ASSERT_EQ(y.sizes(), (std::vector<std::int64_t>{1, 2, n, n, 2}));
  const std::int64_t point = 5 * n + 7;
  for (std::int64_t j = 0; j < 6; ++j)  // frame-major: channel j is stored frame 1 + j / 2 (0-based), component j % 2
    EXPECT_NEAR(x[0][j][5][7].item<double>(), label(2, 2 + j / 2, j % 2, point), 1e-3) << j;
  for (std::int64_t k = 0; k < 2; ++k)
    for (std::int64_t c = 0; c < 2; ++c) EXPECT_NEAR(y[0][c][5][7][k].item<double>(), label(2, 5 + k, c, point), 1e-3);
  // Scoring: the first T_in frames in, all T frames after them out.
  const auto [tx, ty] = data.batch({21});
  EXPECT_NEAR(tx[0][5][5][7].item<double>(), label(21, 3, 1, point), 1e-2);
  ASSERT_EQ(ty.size(-1), 4);
  EXPECT_NEAR(ty[0][0][5][7][3].item<double>(), label(21, 7, 0, point), 1e-2);
}

/// Maps a window of frames [B, T_in C, s...] to the sum of its frames.
struct SumOfFramesImpl : train::OperatorModelImpl {
  explicit SumOfFramesImpl(std::int64_t channels) : channels(channels) {}
  torch::Tensor forward(torch::Tensor x) override {
    return x.view({x.size(0), -1, channels, x.size(2), x.size(3)}).sum(1);
  }
  std::string describe() const override { return "sum of frames"; }
  std::int64_t channels;
};

TEST(Autoregressive, TheRolloutFeedsEachPredictionBackAsTheNewestFrame) {
  const auto path = write_trajectories("labelled_trajectories_rollout", false);
  const auto doc = data_config(path, ", input_frames: 3, predicted_frames: 3");
  train::OperatorData data(train::DataOptions::parse(doc.root().section("data")));
  SumOfFramesImpl model(2);
  const auto x = data.batch({20, 22}).first;
  const auto predicted = train::forecast(model, train::Normalizer::identity(data.shape()), data, x, 3);
  ASSERT_EQ(predicted.sizes(), (std::vector<std::int64_t>{2, 2, n, n, 3}));
  // The recurrence p_k = p_{k-3} + p_{k-2} + p_{k-1} from the three stored frames.
  for (std::int64_t b = 0; b < 2; ++b)
    for (std::int64_t c = 0; c < 2; ++c) {
      std::vector<double> p;
      for (std::int64_t t = 1; t <= 3; ++t) p.push_back(label(20 + 2 * b, t, c, 3));
      for (std::int64_t k = 0; k < 3; ++k) {
        p.push_back(p[p.size() - 3] + p[p.size() - 2] + p[p.size() - 1]);
        EXPECT_NEAR(predicted[b][c][0][3][k].item<double>(), p.back(), 1e-6 * p.back() * 8);  // float32, 3 additions
      }
    }
}

TEST(Autoregressive, TheRolloutLossIsTheSumOfTheFramesRelativeErrors) {
  const auto path = write_trajectories("labelled_trajectories_loss", false);
  const auto doc = config::Document::parse(
      "data: {path: " + path + ", train: [0, 4], test: [20, 24], protocol: autoregressive, input_frames: 4}\n"
      "training: {loss: l2}\n",
      "c.yaml");
  train::OperatorData data(train::DataOptions::parse(doc.root().section("data")));
  const auto loss = train::TrainingLoss::parse(doc.root().section("training"), data);
  torch::manual_seed(1);
  const auto truth = torch::randn({3, 2, n, n, 4}), prediction = truth + 0.1 * torch::randn({3, 2, n, n, 4});
  const auto per_sample = loss.per_sample(prediction, torch::Tensor(), truth);
  for (std::int64_t b = 0; b < 3; ++b) {
    double expected = 0;
    for (std::int64_t t = 0; t < 4; ++t) {
      const auto p = prediction[b].select(-1, t), u = truth[b].select(-1, t);
      expected += ((p - u).norm() / u.norm()).item<double>();
    }
    EXPECT_NEAR(per_sample[b].item<double>(), expected, 1e-5 * expected);
  }
}

TEST(Autoregressive, ConfigErrorsNameTheKey) {
  const auto path = write_trajectories("labelled_trajectories_errors", false);
  auto message = [&](const std::string& extra) { return config_error(path, extra); };
  EXPECT_NE(message(", input_frames: 8").find("data.input_frames: 8 input frames leave none to predict"),
            std::string::npos)
      << message(", input_frames: 8");
  EXPECT_NE(message(", input_frames: 3, predicted_frames: 6").find("data.predicted_frames: 3 + 6 frames, but"),
            std::string::npos)
      << message(", input_frames: 3, predicted_frames: 6");
  EXPECT_NE(message(", predicted_frames: 2, input_frames: 2, train_rollout: 3").find("data.train_rollout: exceeds"),
            std::string::npos);
  EXPECT_NE(message(", frames: 2").find("data.frames: applies to protocol: space_time"), std::string::npos);
}

/// The mean relative L2 over the test trajectories of predicting the last
/// input frame for every later one.
double persistence_error(train::OperatorData& data, const std::vector<std::int64_t>& test, std::int64_t input_frames) {
  const auto [x, y] = data.batch(test);
  const auto last = x.narrow(1, 2 * (input_frames - 1), 2).unsqueeze(-1).expand(y.sizes());
  return train::relative_l2(last, y).mean().item<double>();
}

TEST(Autoregressive, AnFnoLearnsATransportFromRolloutsAndFromOneStepPairs) {
  const auto path = write_trajectories("transport_trajectories", true);
  const std::string model = "{type: fno, modes: [4, 4], width: 8, padding: 0, projection: 16}";
  for (const std::string protocol : {"input_frames: 2, predicted_frames: 4",
                                     "input_frames: 1, predicted_frames: 4, train_rollout: 1"}) {
    const auto doc = config::Document::parse(
        "seed: 2\n"
        "data: {path: " + path + ", train: [0, 20], test: [20, 24], protocol: autoregressive, " + protocol + "}\n"
        "model: " + model + "\n"
        "training: {epochs: 100, batch_size: 5, optimizer: {type: adam, lr: 0.01}, schedule: {type: step, step_size: 40, gamma: 0.3}}\n"
        "output: {directory: run_transport" + suffix() + "}\n",
        "transport.yaml");
    const auto report = train::train_model(world(), doc, {});
    const auto data_doc = data_config(path, ", " + protocol);
    train::OperatorData data(train::DataOptions::parse(data_doc.root().section("data")));
    const double persistence = persistence_error(data, {20, 21, 22, 23}, data.shape().in_channels / 2);
    // A one-cell shift per frame: persistence is off by O(1); the learned
    // roll-out over the 4 predicted frames must be far closer.
    EXPECT_GT(persistence, 1.0) << protocol;
    EXPECT_LT(report.history.back().test_l2, 0.1 * persistence) << protocol;
  }
}

}  // namespace
