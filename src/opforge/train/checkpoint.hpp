#pragma once
/// @file
/// Checkpoints: model, optimizer, normaliser, completed epochs and the
/// resolved config in one file, written by rank 0 to a temporary name and
/// renamed, so a checkpoint on disk is always whole and from one step.

#include <torch/torch.h>

#include <string>

#include "opforge/train/data.hpp"
#include "opforge/train/model.hpp"
#include "opforge/train/trainer.hpp"

namespace opforge::train {

struct CheckpointContents {
  std::int64_t completed_epochs = 0;
  std::int64_t completed_steps = 0;  ///< optimizer steps taken in the next epoch (pre-emption mid-epoch)
  double epoch_loss_sum = 0;         ///< the summed training loss of those steps
  std::string config_yaml;
  std::string model_description;
  BestEpoch best;  ///< model selection so far (restored on resume)
};

/// `loss_parameters`: trained parameters of the loss (a learned C_s^2), saved
/// next to the model when given.
void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const Normalizer& normalizer, const CheckpointContents& contents,
                     torch::nn::Module* loss_parameters = nullptr);
/// Loads into `model` (and `optimizer`, `loss_parameters` when given); throws
/// IoError naming the file when it is missing, not an opforge checkpoint, or
/// lacks the loss parameters asked for.
CheckpointContents load_checkpoint(const std::string& path, torch::nn::Module& model,
                                   torch::optim::Optimizer* optimizer, Normalizer& normalizer,
                                   torch::nn::Module* loss_parameters = nullptr);
/// Model weights alone, loadable in Python with torch.jit.load (names in docs/models.md).
void save_weights(const std::string& path, torch::nn::Module& model);

}  // namespace opforge::train
