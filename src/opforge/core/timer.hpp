#pragma once
/// @file
/// Scoped wall-clock timers accumulated by name, for run summaries. PETSc
/// stages/events cover solver internals; these cover opforge's own phases.

#include <chrono>
#include <map>
#include <string>

namespace opforge {

struct TimerTotal {
  double seconds = 0.0;
  long calls = 0;
};

class TimerRegistry {
public:
  void add(const std::string& name, double seconds);
  const std::map<std::string, TimerTotal>& totals() const noexcept { return totals_; }
  double seconds(const std::string& name) const;
  void clear() { totals_.clear(); }

private:
  std::map<std::string, TimerTotal> totals_;
};

/// The process-wide registry.
TimerRegistry& timers();

/// Adds the time between construction and destruction to `registry[name]`.
class ScopedTimer {
public:
  explicit ScopedTimer(std::string name, TimerRegistry& registry = timers());
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;
  ~ScopedTimer();
  double elapsed() const;

private:
  std::string name_;
  TimerRegistry& registry_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace opforge
