#pragma once
/// @file
/// Learning-rate schedules (`training.schedule.type:`), registered by name.
/// A schedule maps (epoch, step within epoch) to a learning rate.

#include <cstdint>
#include <memory>
#include <string>

#include "opforge/config/config.hpp"
#include "opforge/core/registry.hpp"

namespace opforge::train {

struct ScheduleContext {
  double base_lr = 1e-3;
  std::int64_t epochs = 1;
  std::int64_t steps_per_epoch = 1;
};

class LrSchedule {
public:
  virtual ~LrSchedule() = default;
  virtual double lr(std::int64_t epoch, std::int64_t step) const = 0;
  virtual std::string describe() const = 0;
};

using LrScheduleRegistry = Registry<LrSchedule, const config::Section&, const ScheduleContext&>;
const LrScheduleRegistry& lr_schedules();
std::unique_ptr<LrSchedule> make_lr_schedule(const config::Section& section, const ScheduleContext& context);

}  // namespace opforge::train
