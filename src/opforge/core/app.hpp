#pragma once
/// @file
/// The one place where apps catch errors.

#include <functional>
#include <string>

namespace opforge {

struct GuardOptions {
  /// Program name printed before the message.
  std::string program = "opforge";
  /// Append the source location (file:line) of the error to the message.
  bool show_origin = false;
  /// Seconds a failing rank waits for the other ranks to fail too before it
  /// aborts the whole job; negative = $OPFORGE_FAILURE_WAIT_SECONDS or 5.
  double agreement_seconds = -1.0;
};

/// Runs `body` and returns its exit code. Any exception becomes one line on
/// stderr and a non-zero code (2 for usage errors, 1 otherwise):
/// - if every rank fails (a bad config seen by all, a missing file), the ranks
///   agree on a private communicator, rank 0 prints once (plus any different
///   message from another rank), and the program exits normally;
/// - if a rank fails alone while others wait in a collective, it prints its
///   message with its rank and calls MPI_Abort, so the job never hangs.
int run_guarded(const std::function<int()>& body, const GuardOptions& options = {});

}  // namespace opforge
