#pragma once
/// @file
/// Rank-aware logging. Library code never writes to std::cout directly: it
/// logs, and by default only rank 0's messages are shown (all ranks with
/// set_all_ranks(true), the apps' --verbose).

#include <mutex>
#include <ostream>
#include <string>

#include "opforge/core/error.hpp"

namespace opforge {

enum class LogLevel { error = 0, warning = 1, info = 2, debug = 3 };

class Logger {
public:
  void set_rank(int rank, int size) noexcept;
  /// Starts every line (e.g. "[train] " for one role of an online job).
  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
  const std::string& prefix() const noexcept { return prefix_; }
  int size() const noexcept { return size_; }
  void set_all_ranks(bool all_ranks) noexcept { all_ranks_ = all_ranks; }
  void set_level(LogLevel level) noexcept { level_ = level; }
  /// Redirect all output (both streams) to `stream`; nullptr restores stdout/stderr.
  void set_stream(std::ostream* stream) noexcept { redirect_ = stream; }

  int rank() const noexcept { return rank_; }
  /// Whether messages of `level` from this rank are shown.
  bool enabled(LogLevel level) const noexcept;
  /// Stream for normal output (stdout unless redirected).
  std::ostream& out() const noexcept;

  template <typename... Pieces> void error(const Pieces&... p) { write(LogLevel::error, detail::concat_message(p...)); }
  template <typename... Pieces> void warning(const Pieces&... p) { write(LogLevel::warning, detail::concat_message(p...)); }
  template <typename... Pieces> void info(const Pieces&... p) { write(LogLevel::info, detail::concat_message(p...)); }
  template <typename... Pieces> void debug(const Pieces&... p) { write(LogLevel::debug, detail::concat_message(p...)); }

  void write(LogLevel level, const std::string& message);

private:
  int rank_ = 0;
  int size_ = 1;
  bool all_ranks_ = false;
  LogLevel level_ = LogLevel::info;
  std::string prefix_;
  std::ostream* redirect_ = nullptr;
  std::mutex mutex_;
};

/// The process-wide logger.
Logger& logger();

}  // namespace opforge
