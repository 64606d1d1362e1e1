#include "opforge/core/progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "opforge/core/log.hpp"

namespace opforge {

std::string format_duration(double seconds) {
  char text[64];
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) std::snprintf(text, sizeof text, "%.1f s", seconds);
  else if (seconds < 3600) std::snprintf(text, sizeof text, "%d min %02d s", int(seconds) / 60, int(seconds) % 60);
  else std::snprintf(text, sizeof text, "%d h %02d min", int(seconds) / 3600, (int(seconds) % 3600) / 60);
  return text;
}

namespace {
/// In-place redraws only where a person watches a terminal. Under mpirun the
/// ranks' stdout is a pseudo-terminal even when mpirun's own output goes to a
/// batch log, so launched ranks and SLURM batch jobs print plain lines;
/// OPFORGE_PROGRESS=tty|lines overrides.
bool redraw_in_place() {
  if (const char* choice = std::getenv("OPFORGE_PROGRESS")) return std::string(choice) == "tty";
  const bool launched = std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK");
  const bool batch = std::getenv("SLURM_JOB_ID") && !std::getenv("SLURM_PTY_PORT");
  return !launched && !batch && isatty(STDOUT_FILENO) == 1;
}
}  // namespace

Progress::Progress(std::string label, std::int64_t total, ProgressOptions options)
    : label_(std::move(label)), total_(total), options_(std::move(options)) {
  if (!options_.clock) {
    options_.clock = [] {
      using namespace std::chrono;
      return duration<double>(steady_clock::now().time_since_epoch()).count();
    };
  }
  terminal_ = options_.terminal >= 0 ? options_.terminal == 1 : redraw_in_place();
  start_ = last_print_ = options_.clock();
}

Progress::~Progress() { finish(); }

std::string Progress::status_line() const {
  const double elapsed = options_.clock() - start_;
  const double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  std::ostringstream os;
  os << label_ << ": " << done_ << "/" << total_;
  if (total_ > 0) os << " (" << (100 * done_ / total_) << "%)";
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "%.3g/s", rate);
  os << ", " << rate_text;
  if (done_ >= total_) os << ", " << format_duration(elapsed);
  else if (rate > 0) os << ", ETA " << format_duration((total_ - done_) / rate);
  return os.str();
}

void Progress::advance(std::int64_t count) {
  done_ += count;
  const double now = options_.clock();
  const double gap = terminal_ ? options_.redraw_seconds : options_.interval_seconds;
  if (now - last_print_ >= gap) {
    last_print_ = now;
    print(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  print(true);
}

void Progress::print(bool final_line) {
  Logger& log = logger();
  if (!log.enabled(LogLevel::info)) return;
  if (terminal_) {
    log.out() << '\r' << status_line() << "\033[K" << (final_line ? "\n" : "") << std::flush;
  } else {
    log.info(status_line());
  }
}

}  // namespace opforge
