#pragma once
/// @file
/// Checkpoints: model, optimizer, normaliser, completed epochs, the resolved
/// config and the data layout in one file, written by rank 0 to a temporary
/// name, synced and renamed, so a checkpoint on disk is always whole and from
/// one step. Reading verifies every entry against its CRC-32 first and reads
/// the stored description before any weight, so a run can compare it with its
/// own config and data before it builds anything.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "opforge/train/data/data.hpp"
#include "opforge/train/models/model.hpp"
#include "opforge/train/loop/trainer.hpp"

namespace opforge::train {

struct CheckpointContents {
  std::int64_t completed_epochs = 0;
  std::int64_t completed_steps = 0;  ///< optimizer steps taken in the next epoch (pre-emption mid-epoch)
  double epoch_loss_sum = 0;         ///< the summed training loss of those steps
  std::string config_yaml;
  std::string model_description;
  BestEpoch best;  ///< model selection so far (restored on resume)
  /// The dataset the model was trained on: channel names and spatial axes
  /// (frames counted). Empty/0 in checkpoints written before they were stored.
  std::vector<std::string> input_channels;
  std::vector<std::string> output_channels;
  std::int64_t spatial_dims = 0;
  /// The example source's state (ExampleSource::state; online training's buffer).
  std::string example_state;
};

/// A checkpoint opened for reading: integrity verified, format and
/// description read; the weights are restored on request.
class CheckpointReader {
public:
  /// Throws IoError naming the file when it is missing, corrupted (an entry
  /// fails its CRC-32) or not an opforge checkpoint.
  explicit CheckpointReader(std::string path);
  const std::string& path() const { return path_; }
  const CheckpointContents& contents() const { return contents_; }
  /// Loads into `model` (and `optimizer`, `loss_parameters` when given);
  /// throws IoError naming the file when the weights do not fit the model or
  /// lack the loss parameters asked for.
  void restore(torch::nn::Module& model, torch::optim::Optimizer* optimizer, Normalizer& normalizer,
               torch::nn::Module* loss_parameters = nullptr);

private:
  std::string path_;
  torch::serialize::InputArchive archive_;
  CheckpointContents contents_;
};

/// Evaluation: throws ConfigError listing every `model.*` key whose value
/// differs between the checkpoint's config (as this version reads it:
/// model_section_as_read) and `config_yaml`, and the data layout (channels,
/// spatial axes) where it differs from `data` and `shape`.
void check_fits_evaluation(const CheckpointReader& checkpoint, const std::string& config_yaml,
                           const io::DatasetLayout& data, const ModelShape& shape);

/// Keys that may change when a run is resumed; every other key must equal the
/// checkpoint's (docs/training.md). A trailing ".*" allows a whole section.
const std::vector<std::string>& resume_safe_keys();
/// Resume: throws ConfigError listing the keys outside resume_safe_keys()
/// whose values differ between the checkpoint's config (its model section as
/// this version reads it: model_section_as_read) and `config_yaml`.
void check_resumable(const CheckpointReader& checkpoint, const std::string& config_yaml, const ModelShape& shape);

/// `loss_parameters`: trained parameters of the loss (a learned C_s^2), saved
/// next to the model when given.
void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const Normalizer& normalizer, const CheckpointContents& contents,
                     torch::nn::Module* loss_parameters = nullptr);
/// Model weights alone, loadable in Python with torch.jit.load (names in docs/models.md).
void save_weights(const std::string& path, torch::nn::Module& model);

}  // namespace opforge::train
