#include "opforge/core/log.hpp"

#include <iostream>

namespace opforge {

Logger& logger() {
  static Logger instance;
  return instance;
}

void Logger::set_rank(int rank, int size) noexcept {
  rank_ = rank;
  size_ = size;
}

bool Logger::enabled(LogLevel level) const noexcept {
  if (static_cast<int>(level) > static_cast<int>(level_)) return false;
  // Errors and warnings are rare and rank-specific: show them from every rank.
  return rank_ == 0 || all_ranks_ || level <= LogLevel::warning;
}

std::ostream& Logger::out() const noexcept { return redirect_ ? *redirect_ : std::cout; }

void Logger::write(LogLevel level, const std::string& message) {
  if (!enabled(level)) return;
  std::string line = prefix_;
  if (size_ > 1 && (all_ranks_ || rank_ != 0)) line += "[rank " + std::to_string(rank_) + "] ";
  if (level == LogLevel::error) line += "error: ";
  if (level == LogLevel::warning) line += "warning: ";
  line += message;
  line += '\n';
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostream& stream = redirect_ ? *redirect_ : (level <= LogLevel::warning ? std::cerr : std::cout);
  stream << line << std::flush;
}

}  // namespace opforge
