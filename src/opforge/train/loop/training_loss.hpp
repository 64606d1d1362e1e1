#pragma once
/// @file
/// `training.loss`: what the trainer minimises. `l2` and `h1` compare with
/// the labels (autoregressive data: frame by frame, summed over the
/// roll-out); `{type: les, ...}` is the LESnets physics residual
/// (les_loss.hpp), optionally plus data_weight times the relative L2, and
/// optionally with C_s^2 as a trained scalar (`learn_smagorinsky_cs2`, the
/// paper's third variant).
///
/// A learned C_s^2 lives in a module of its own (parameters()), so the
/// trainer's optimizer (own learning rate, no weight decay), gradient
/// allreduce and checkpoint handle it like any weight. It enters the
/// physics residual of the operator's predictions and is calibrated by
/// weight times the same residual on one labelled reference trajectory, in
/// which it is the only unknown (the LESnets recipe: "PDE residual of a
/// single fDNS or Smagorinsky-LES trajectory, weighted by gp").

#include <torch/torch.h>

#include <map>
#include <string>

#include "opforge/config/config.hpp"
#include "opforge/train/data/data.hpp"
#include "opforge/train/loop/les_loss.hpp"

namespace opforge::train {

/// `loss.learn_smagorinsky_cs2`.
struct LearnedSmagorinskyOptions {
  double initial = 1e-8;     ///< the LESnets code's start
  double lr = 1e-3;          ///< its own learning rate, scaled by the schedule like the model's
  double weight = 25.0;      ///< gp: weight of the calibration residual
  std::int64_t sample = -1;  ///< dataset index of the labelled trajectory (-1: the first training sample)
};

/// C_s^2 as a trained scalar: parameter `smagorinsky_cs2` (float32, 0-d).
struct LearnedSmagorinskyImpl : torch::nn::Module {
  explicit LearnedSmagorinskyImpl(double initial);
  torch::Tensor cs2;
};
TORCH_MODULE(LearnedSmagorinsky);

/// The les3d generator's physical parameters (les_viscosity, ...) stored in
/// the dataset's root attributes.
std::map<std::string, double> les_attributes(const OperatorData& data);

/// The physics a trajectory dataset was simulated with (the defaults for
/// what its attributes do not name).
LesResidualOptions dataset_physics(const OperatorData& data);

class TrainingLoss {
public:
  /// Parses `training.loss` (a name or a section) against the opened data;
  /// config errors name the key and line.
  static TrainingLoss parse(const config::Section& training, const OperatorData& data);

  const std::string& type() const { return type_; }
  /// Whether the training range's labels are read (the calibration
  /// trajectory's always are).
  bool needs_labels() const { return type_ != "les" || data_weight_ > 0; }
  /// The physics of the residual (C_s^2 the initial value when it is learned).
  const LesResidualOptions& physics() const { return les_; }

  /// Per-sample losses [B]; `truth` is undefined when labels are not needed.
  torch::Tensor per_sample(const torch::Tensor& prediction, const torch::Tensor& input,
                           const torch::Tensor& truth) const;

  /// The learned C_s^2, or nullptr when C_s^2 is fixed.
  LearnedSmagorinsky learned() const { return learned_; }
  const LearnedSmagorinskyOptions& learned_options() const { return learned_options_; }
  /// weight * residual of the reference trajectory with the learned C_s^2
  /// (a scalar); reads and caches that trajectory on first use.
  torch::Tensor calibration(OperatorData& data) const;

private:
  std::string type_ = "l2";
  bool per_frame_ = false;  ///< autoregressive data: summed over the rolled-out frames
  double data_weight_ = 0.0;
  LesResidualOptions les_;
  LearnedSmagorinsky learned_{nullptr};
  LearnedSmagorinskyOptions learned_options_;
  mutable torch::Tensor calibration_initial_, calibration_frames_;
};

}  // namespace opforge::train
