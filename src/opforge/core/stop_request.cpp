#include "opforge/core/stop_request.hpp"

#include <csignal>

namespace opforge {
namespace {
volatile std::sig_atomic_t received_signal = 0;
struct sigaction previous_term, previous_usr1;
int installed = 0;

extern "C" void record_stop_signal(int signal) { received_signal = signal; }
}  // namespace

StopSignalHandlers::StopSignalHandlers() {
  if (installed++ > 0) return;
  struct sigaction action {};
  action.sa_handler = record_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // system calls in MPI/HDF5 resume instead of failing with EINTR
  sigaction(SIGTERM, &action, &previous_term);
  sigaction(SIGUSR1, &action, &previous_usr1);
}

StopSignalHandlers::~StopSignalHandlers() {
  if (--installed > 0) return;
  sigaction(SIGTERM, &previous_term, nullptr);
  sigaction(SIGUSR1, &previous_usr1, nullptr);
}

bool stop_requested() { return received_signal != 0; }
int stop_signal() { return static_cast<int>(received_signal); }
void clear_stop_request() { received_signal = 0; }

}  // namespace opforge
