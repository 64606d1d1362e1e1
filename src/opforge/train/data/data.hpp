#pragma once
/// @file
/// Training data from an opforge HDF5 dataset: any rank reads any samples
/// (each rank only the ones the sampler gives it), optionally sub-sampled
/// with a stride, plus per-channel unit-Gaussian normalisation.

#include <torch/torch.h>

#include <map>
#include <memory>
#include <utility>

#include "opforge/config/config.hpp"
#include "opforge/core/communicator.hpp"
#include "opforge/io/dataset_reader.hpp"
#include "opforge/train/models/model.hpp"

namespace opforge::train {

/// The `data:` section.
struct DataOptions {
  std::string path;
  std::int64_t train_begin = 0, train_end = 0;  ///< [begin, end) sample indices
  std::int64_t test_begin = 0, test_end = 0;
  std::int64_t validation_begin = 0, validation_end = 0;  ///< empty: no model selection
  std::int64_t stride = 1;  ///< keep every stride-th grid point per axis
  bool normalize = true;
  bool cache = true;  ///< keep samples read in memory
  /// Trajectory datasets: "space_time" (a model call maps the initial field,
  /// or its first `input_frames` frames, to the next `frames` frames) or
  /// "autoregressive" (a model call maps the last `input_frames` frames, as
  /// channels, to the next one).
  std::string protocol = "space_time";
  /// space_time: frames predicted per model call (0: up to 10).
  std::int64_t frames = 0;
  /// autoregressive: T_in frames in, T frames predicted after them (scored
  /// over the whole roll-out), R frames rolled out per training example
  /// (R = T: one example per trajectory, trained with the roll-out loss;
  /// R < T: every window of the first T_in + T frames is an example, e.g.
  /// R = 1 one-step pairs). 0: T all frames after the first T_in, R = T.
  /// space_time: T_in counts /input as the first frame (default 1: /input
  /// alone; 10: FNO-3D's w(0..9) -> the next K frames).
  std::int64_t input_frames = 10, predicted_frames = 0, train_rollout = 0;
  /// Where these options came from: checks against the opened file name its keys and lines.
  std::optional<config::Section> section;
  static DataOptions parse(const config::Section& section);
};

/// Samples as model inputs and targets. For a time-dependent dataset
/// (/output [N, T, C, s...], /input the initial field [N, C, s...]):
/// - space_time: a model maps the initial field repeated over K frames,
///   [k, C, s..., K], to the first K frames [k, C, s..., K]: time is the last
///   grid axis (space-time operators, as in LESnets and FNO-3D); with T_in
///   input frames, /input and the first T_in - 1 stored frames as channels,
///   [k, T_in C, s..., K], to the K frames after them;
/// - autoregressive: the model input is T_in stored frames as channels
///   [k, T_in C, s...] (frame-major), its output the next frame [k, C, s...];
///   the targets are the T (or R) frames after them, [k, C, s..., T], which
///   the trainer predicts by rolling the model out (FNO-2D's
///   fourier_2d_time.py, MgNO's one-step pairs).
class OperatorData {
public:
  explicit OperatorData(const DataOptions& options);
  /// Inputs [k, C_in, grid...] and outputs [k, C_out, grid...] (float32) of `indices`.
  std::pair<torch::Tensor, torch::Tensor> batch(const std::vector<std::int64_t>& indices);
  /// Inputs only: labels are not read (data-free losses).
  torch::Tensor inputs(const std::vector<std::int64_t>& indices);
  /// Reads `indices` into the cache now (nothing without data.cache). A
  /// cache filled during training interleaves its long-lived blocks with the
  /// steps' short-lived ones: on 2 ranks, where each rank meets most samples
  /// for the first time in the loop, the heap grew by ~100 MB/s (de Hoop
  /// 101², 5000 samples: killed at 15 GB); filled first, it stays flat.
  void preload(const std::vector<std::int64_t>& indices, bool labels = true);
  /// Online training: holds a streamed sample (values as stored in a file of
  /// this layout) under `key` (>= the file's sample count), in place of
  /// whatever was there; batches then address it like a read sample.
  void put(std::int64_t key, const std::vector<double>& input, const std::vector<double>& output);
  /// The training examples of the samples `train`: the samples themselves,
  /// or for autoregressive windows (R < T) sample * windows + window start.
  std::vector<std::int64_t> training_examples(const std::vector<std::int64_t>& train) const;
  /// Inputs and targets of training examples (batch() unless windowed: R target frames).
  std::pair<torch::Tensor, torch::Tensor> training_batch(const std::vector<std::int64_t>& examples);
  /// A whole trajectory: initial field [C, s...] and every frame [C, s..., T].
  std::pair<torch::Tensor, torch::Tensor> trajectory(std::int64_t index);
  /// Model input for initial fields [k, C, s...] (identity without a time
  /// axis): the field repeated over the K frames, [k, C, s..., K]. With
  /// `materialize` false the repetition is a broadcast view (stride 0 along
  /// K), which Fourier resampling restricts once instead of K times.
  torch::Tensor model_input(const torch::Tensor& initial, bool materialize = true) const;
  ModelShape shape() const;
  /// Frames per model call K of the space_time protocol (0: none).
  std::int64_t frames() const { return frames_; }
  bool autoregressive() const { return autoregressive_; }
  /// Model calls per target: autoregressive T (test) and R (training); 1 otherwise.
  std::int64_t predicted_frames() const { return autoregressive_ ? predicted_frames_ : 1; }
  std::int64_t train_rollout() const { return autoregressive_ ? train_rollout_ : 1; }
  const io::DatasetLayout& layout() const { return reader_.layout(); }
  const io::DatasetReader& reader() const { return reader_; }
  const DataOptions& options() const { return options_; }

private:
  /// A stored sample as the model sees it (stride, frames, time axis last).
  torch::Tensor prepare_input(const torch::Tensor& stored) const;
  torch::Tensor prepare_output(const torch::Tensor& stored, bool all_frames) const;
  torch::Tensor read_input(std::int64_t index);
  /// The model's initial field from a stored sample: /input, then with T_in >
  /// 1 (space_time) the first T_in - 1 stored frames, as channels.
  torch::Tensor input_window(const torch::Tensor& stored_input, const torch::Tensor& stored_output) const;
  torch::Tensor read_output(std::int64_t index, bool all_frames);
  /// Autoregressive: T_in frames from `start` as channels and the `count` after them.
  std::pair<torch::Tensor, torch::Tensor> window(std::int64_t index, std::int64_t start, std::int64_t count);
  /// Autoregressive examples (sample * windows + start), `count` target frames each.
  std::pair<torch::Tensor, torch::Tensor> windows(const std::vector<std::int64_t>& examples, std::int64_t count);
  /// Autoregressive training windows per trajectory: starts 0 .. T - R.
  std::int64_t windows_per_sample() const { return predicted_frames_ - train_rollout_ + 1; }
  void check_autoregressive();
  DataOptions options_;
  io::DatasetReader reader_;
  std::int64_t frames_ = 0;
  bool autoregressive_ = false;
  std::int64_t input_frames_ = 0, predicted_frames_ = 0, train_rollout_ = 0;
  std::map<std::int64_t, torch::Tensor> input_cache_, output_cache_;
};

/// Collective: throws IoError on every rank, naming the file and the first
/// bad sample, when any of `indices` holds a NaN or infinity (rank r checks
/// i = r mod P; the samples stay cached for training). Without `labels`
/// only /input is read.
void check_finite(const Communicator& comm, OperatorData& data, const std::vector<std::int64_t>& indices,
                  bool labels = true);

/// Per-channel mean and standard deviation of inputs and outputs over the
/// training set, computed once with an MPI reduction (identical on all ranks).
struct Normalizer {
  torch::Tensor input_mean, input_std, output_mean, output_std;  ///< [C]

  static Normalizer fit(const Communicator& comm, OperatorData& data, const std::vector<std::int64_t>& train);
  static Normalizer identity(const ModelShape& shape);
  torch::Tensor encode_input(const torch::Tensor& x) const;
  torch::Tensor decode_output(const torch::Tensor& y) const;
};

/// Per-sample relative L2 error ||a - b|| / ||b|| over all axes but the first.
torch::Tensor relative_l2(const torch::Tensor& prediction, const torch::Tensor& truth);

/// Per-sample relative H1 error in Fourier space over the spatial axes of
/// [B, C, spatial...]: ||w (a - b)^|| / ||w b^|| with w = sqrt(1 + |k|^2),
/// k the integer wavenumbers (the FNO/MgNO code's HsLoss with k = 1, a = 1).
torch::Tensor relative_h1(const torch::Tensor& prediction, const torch::Tensor& truth);

}  // namespace opforge::train
