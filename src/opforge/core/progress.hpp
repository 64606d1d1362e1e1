#pragma once
/// @file
/// A progress line for long loops: items done/total, rate, ETA. On a terminal
/// it redraws one line in place; otherwise (batch jobs, logs) it prints a
/// plain line every `interval_seconds` and once at the end.

#include <cstdint>
#include <functional>
#include <string>

namespace opforge {

struct ProgressOptions {
  /// Seconds between plain lines when the output is not a terminal.
  double interval_seconds = 30.0;
  /// Seconds between redraws on a terminal.
  double redraw_seconds = 0.2;
  /// Force terminal/non-terminal behaviour; unset = detect (a terminal that
  /// is not a launched MPI rank or SLURM batch job; OPFORGE_PROGRESS=tty|lines).
  int terminal = -1;
  /// Monotonic clock in seconds; unset = steady_clock. Tests inject one.
  std::function<double()> clock;
};

class Progress {
public:
  Progress(std::string label, std::int64_t total, ProgressOptions options = {});
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  void advance(std::int64_t count = 1);
  /// Print the final line (idempotent; also called by the destructor).
  void finish();

  /// "label: 30/100 (30%), 12.5/s, ETA 5.6 s" for the current state.
  std::string status_line() const;

private:
  void print(bool final_line);

  std::string label_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  ProgressOptions options_;
  bool terminal_ = false;
  bool finished_ = false;
  double start_ = 0.0;
  double last_print_ = 0.0;
};

/// "3.2 s", "4 min 12 s", "2 h 05 min".
std::string format_duration(double seconds);

}  // namespace opforge
