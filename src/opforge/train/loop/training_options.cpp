#include "opforge/train/loop/training_options.hpp"

namespace opforge::train {

TrainingOptions TrainingOptions::parse(const config::Section& s) {
  const config::Section optimizer = s.section_or_empty("optimizer");
  return TrainingOptions{
      s.get<std::int64_t>("epochs", 10, config::at_least(1)),
      s.get<std::int64_t>("batch_size", 20, config::at_least(1)),
      optimizer.choice("type", {"adam", "adamw"}, std::string("adam")),
      optimizer.get<double>("lr", 1e-3, config::positive()),
      optimizer.get<double>("weight_decay", 1e-4, config::non_negative()),
      s,
      s.get<double>("clip_grad_norm", 0.0, config::non_negative()),
      s.get<std::int64_t>("checkpoint_every", 1, config::at_least(1)),
      s.get<std::int64_t>("threads", 1, config::at_least(1)),
      s.choice("resume", {"never", "auto"}, std::string("never")) == "auto",
      s.section_or_empty("schedule"),
      s.get<bool>("overlap_allreduce", true),
  };
}

}  // namespace opforge::train
