#include "opforge/train/loop/lr_schedule.hpp"

#include <cmath>
#include <sstream>

namespace opforge::train {
namespace {

/// step: lr * gamma^(floor(epoch / step_size)) — the FNO recipe (100, 0.5).
class StepSchedule final : public LrSchedule {
public:
  StepSchedule(const config::Section& s, const ScheduleContext& c)
      : base_(c.base_lr), step_size_(s.get<std::int64_t>("step_size", 100, config::at_least(1))),
        gamma_(s.get<double>("gamma", 0.5, config::positive())) {}
  double lr(std::int64_t epoch, std::int64_t) const override {
    return base_ * std::pow(gamma_, double(epoch / step_size_));
  }
  std::string describe() const override {
    std::ostringstream out;
    out << "step(step_size=" << step_size_ << ", gamma=" << gamma_ << ")";
    return out.str();
  }

private:
  double base_;
  std::int64_t step_size_;
  double gamma_;
};

/// cosine: half a cosine from lr to min_lr over all steps of the run.
class CosineSchedule final : public LrSchedule {
public:
  CosineSchedule(const config::Section& s, const ScheduleContext& c)
      : context_(c), min_lr_(s.get<double>("min_lr", 0.0, config::non_negative())) {}
  double lr(std::int64_t epoch, std::int64_t step) const override {
    const double total = double(context_.epochs * context_.steps_per_epoch);
    const double t = double(epoch * context_.steps_per_epoch + step) / std::max(1.0, total);
    return min_lr_ + 0.5 * (context_.base_lr - min_lr_) * (1.0 + std::cos(M_PI * t));
  }
  std::string describe() const override { return "cosine"; }

private:
  ScheduleContext context_;
  double min_lr_;
};

/// onecycle: linear warm-up from lr/div_factor to lr over pct_start of the
/// steps, then cosine annealing to lr/final_div_factor (PyTorch's OneCycleLR).
class OneCycleSchedule final : public LrSchedule {
public:
  OneCycleSchedule(const config::Section& s, const ScheduleContext& c)
      : context_(c), pct_start_(s.get<double>("pct_start", 0.3, config::between(0.0, 1.0))),
        div_(s.get<double>("div_factor", 25.0, config::positive())),
        final_div_(s.get<double>("final_div_factor", 1e4, config::positive())) {}
  double lr(std::int64_t epoch, std::int64_t step) const override {
    const double total = double(context_.epochs * context_.steps_per_epoch);
    const double t = double(epoch * context_.steps_per_epoch + step);
    const double warm = std::max(1.0, pct_start_ * total);
    const double start = context_.base_lr / div_, end = start / final_div_;
    if (t < warm) return start + (context_.base_lr - start) * t / warm;
    const double u = (t - warm) / std::max(1.0, total - warm);
    return end + 0.5 * (context_.base_lr - end) * (1.0 + std::cos(M_PI * std::min(1.0, u)));
  }
  std::string describe() const override { return "onecycle"; }

private:
  ScheduleContext context_;
  double pct_start_, div_, final_div_;
};

template <typename T>
std::unique_ptr<LrSchedule> make(const config::Section& s, const ScheduleContext& c) {
  return std::make_unique<T>(s, c);
}

}  // namespace

const LrScheduleRegistry& lr_schedules() {
  static const LrScheduleRegistry registry = [] {
    LrScheduleRegistry r("learning-rate schedule");
    r.add("step", make<StepSchedule>, "multiply by gamma every step_size epochs");
    r.add("cosine", make<CosineSchedule>, "cosine annealing over the run");
    r.add("onecycle", make<OneCycleSchedule>, "warm-up then cosine annealing");
    return r;
  }();
  return registry;
}

std::unique_ptr<LrSchedule> make_lr_schedule(const config::Section& section, const ScheduleContext& context) {
  return lr_schedules().create(section.choice("type", lr_schedules().names(), std::string("step")), section, context);
}

}  // namespace opforge::train
