#pragma once
/// @file
/// Pre-emption: SIGTERM or SIGUSR1 (what SLURM's `--signal` and `scancel`
/// send, and what mpirun forwards) only sets a flag; long-running loops poll
/// it at safe points, agree across ranks and stop cleanly (training writes a
/// checkpoint and exits 0 "stopped for requeue").

namespace opforge {

/// Installs the SIGTERM/SIGUSR1 handlers (idempotent). The previous handlers
/// are restored by the returned guard's destructor.
class StopSignalHandlers {
public:
  StopSignalHandlers();
  ~StopSignalHandlers();
  StopSignalHandlers(const StopSignalHandlers&) = delete;
  StopSignalHandlers& operator=(const StopSignalHandlers&) = delete;
};

/// True once a stop signal arrived in this process (since the last clear).
bool stop_requested();
/// The signal number that requested the stop (0: none).
int stop_signal();
/// Forget a stop request (after it has been honoured).
void clear_stop_request();

}  // namespace opforge
