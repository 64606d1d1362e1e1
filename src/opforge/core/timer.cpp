#include "opforge/core/timer.hpp"

namespace opforge {

TimerRegistry& timers() {
  static TimerRegistry instance;
  return instance;
}

void TimerRegistry::add(const std::string& name, double seconds) {
  TimerTotal& total = totals_[name];
  total.seconds += seconds;
  ++total.calls;
}

double TimerRegistry::seconds(const std::string& name) const {
  const auto it = totals_.find(name);
  return it == totals_.end() ? 0.0 : it->second.seconds;
}

ScopedTimer::ScopedTimer(std::string name, TimerRegistry& registry)
    : name_(std::move(name)), registry_(registry), start_(std::chrono::steady_clock::now()) {}

ScopedTimer::~ScopedTimer() { registry_.add(name_, elapsed()); }

double ScopedTimer::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

}  // namespace opforge
