#pragma once
/// @file
/// The `training:` section, read by training and (to validate the same keys)
/// by evaluation.

#include <cstdint>
#include <string>

#include "opforge/config/config.hpp"

namespace opforge::train {

/// The defaults are written once, in parse().
struct TrainingOptions {
  std::int64_t epochs;
  std::int64_t batch_size;
  std::string optimizer;
  double lr;
  double weight_decay;
  config::Section loss_section;  ///< `training:`, whose `loss` key is parsed once the data is open
  double clip_grad_norm;
  std::int64_t checkpoint_every;
  std::int64_t threads;
  bool resume_auto;
  config::Section schedule_section;
  bool overlap_allreduce;

  static TrainingOptions parse(const config::Section& section);
};

}  // namespace opforge::train
