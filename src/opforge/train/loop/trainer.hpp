#pragma once
/// @file
/// `opforge train` and `opforge evaluate`: data-parallel training of a neural
/// operator on an opforge dataset, and its evaluation. This header does not
/// include torch: apps and other modules can call training without paying
/// LibTorch's compile time.

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "opforge/config/config.hpp"
#include "opforge/stream/sample_buffer.hpp"

namespace opforge {
class Communicator;
}
namespace opforge::stream {
class StreamReceiver;
}

namespace opforge::train {

struct EpochMetrics {
  std::int64_t epoch = 0;  ///< 1-based
  double train_loss = 0;   ///< mean relative L2 over the training samples seen
  double test_l2 = 0;      ///< mean relative L2 on the test split
  double test_h1 = 0;      ///< mean relative H1 on the test split
  double validation_l2 = std::nan("");  ///< mean relative L2 on the validation split (NaN: none)
  double learning_rate = 0;
  double seconds = 0;
  double samples_per_second = 0;
  double allreduce_seconds = 0;
  /// Online training's columns (samples generated, unique trained, buffer
  /// fill, idle times...); empty for a fixed dataset.
  std::vector<std::pair<std::string, double>> stream;
};

/// The epoch with the lowest validation error and the test errors there
/// (model selection); epoch 0 when the config has no validation split.
struct BestEpoch {
  std::int64_t epoch = 0;
  double validation_l2 = 0, test_l2 = 0, test_h1 = 0;
};

struct TrainingReport {
  std::string run_directory;
  std::string model;
  std::string spectral_backend;  ///< the Fourier layers' in training (empty: none)
  std::int64_t parameters = 0;
  std::int64_t first_epoch = 0;  ///< epochs already done when this run started (resume)
  std::vector<EpochMetrics> history;
  BestEpoch best;  ///< its weights are in <run directory>/best.pt
  /// `loss.learn_smagorinsky_cs2`: the value at the end (NaN: C_s^2 fixed).
  double learned_smagorinsky_cs2 = std::nan("");
  /// Set when a stop signal ended the run early: (completed epochs, steps of
  /// the next); the checkpoint holds that state.
  std::optional<std::pair<std::int64_t, std::int64_t>> stopped_after;
};

struct TrainCommand {
  /// Continue from <run directory>/checkpoint.pt when it exists.
  bool resume = false;
  /// Behave as if a stop signal arrived after this many optimizer steps
  /// (0: never): pre-emption at a chosen point, for tests.
  std::int64_t stop_after_steps = 0;
  /// Online training: the training examples come from this stream, held in
  /// a buffer as `buffer` says; the config's data.path is then the held-out
  /// dataset (data.test and data.validation score the model, data.train
  /// only fits the normaliser). Null: train on data.train.
  stream::StreamReceiver* stream = nullptr;
  stream::BufferOptions buffer;
};

/// Collective over `comm`; the config's keys are validated before any work.
TrainingReport train_model(const Communicator& comm, const config::Document& document, const TrainCommand& command);

struct EvaluationReport {
  std::int64_t samples = 0;
  double mean = 0, median = 0, max = 0;  ///< relative L2 over the test split
  double mean_h1 = 0;                    ///< relative H1 over the test split
  std::string predictions_path;          ///< empty when none were written
  std::string spectral_backend;          ///< the Fourier layers' in evaluation (empty: none)
  // Trajectory datasets with a roll-out (rollout.csv, spectra.csv in rollout_directory):
  std::string rollout_directory;
  std::int64_t rollout_frames = 0;
  double rollout_l2_first_call = 0;  ///< mean relative L2 over the first call's K frames
  double rollout_l2_last_frame = 0;
  double spectrum_deviation = 0;     ///< max |E/E_ref - 1| over shells 1..10 after the first call
  double operator_seconds = 0, reference_seconds = 0;  ///< per sample, same horizon
};

/// Scores the checkpoint on the config's test split (at its data.stride).
/// With `rollout_calls` > 0 (trajectory datasets), also rolls the operator
/// out autoregressively for that many calls and writes rollout.csv,
/// rollout.json and spectra.csv into `rollout_directory` (created if
/// missing; empty: the checkpoint's directory).
EvaluationReport evaluate_model(const Communicator& comm, const config::Document& document,
                                const std::string& checkpoint, const std::string& predictions_path,
                                std::int64_t rollout_calls = 0, const std::string& rollout_directory = "");

}  // namespace opforge::train
