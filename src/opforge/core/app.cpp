#include "opforge/core/app.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <new>
#include <thread>
#include <vector>

#include "opforge/core/environment.hpp"
#include "opforge/core/error.hpp"
#include "opforge/core/mpi_native.hpp"

namespace opforge {
namespace {

struct Failure {
  std::string line;
  int exit_code = 1;
};

Failure describe(const std::exception_ptr& error, const GuardOptions& options) {
  Failure failure;
  try {
    std::rethrow_exception(error);
  } catch (const UsageError& e) {
    failure = {std::string("error: ") + e.what(), 2};
  } catch (const Error& e) {
    // A plain Error has no category beyond "error" ("error: ...", not "error error: ...").
    const std::string kind = e.kind();
    failure.line = (kind == "error" ? "" : kind + " ") + "error: " + e.what();
    if (options.show_origin) failure.line += " [" + e.where() + "]";
  } catch (const std::bad_alloc&) {
    failure.line = "out of memory";
  } catch (const std::exception& e) {
    // A library's own exception (LibTorch's c10::Error appends a C++ stack
    // trace after its first line): the user gets the message alone.
    const std::string text = e.what();
    failure.line = "error: " + text.substr(0, text.find('\n'));
  } catch (...) {
    failure.line = "unknown error";
  }
  return failure;
}

double agreement_seconds(const GuardOptions& options) {
  if (options.agreement_seconds >= 0) return options.agreement_seconds;
  if (const char* text = std::getenv("OPFORGE_FAILURE_WAIT_SECONDS")) return std::atof(text);
  return 5.0;
}

/// True when every rank of `comm` entered this function within `seconds`.
bool all_ranks_failed(const Communicator& comm, double seconds) {
  MPI_Request request;
  if (MPI_Ibarrier(native(comm), &request) != MPI_SUCCESS) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int done = 0;
  while (!done) {
    if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return false;
    if (done) break;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

/// Rank 0 receives every rank's line (all ranks are known to be here).
std::vector<std::string> gather_lines(const Communicator& comm, const std::string& line) {
  const MPI_Comm raw = native(comm);
  const int size = comm.size();
  int length = static_cast<int>(line.size());
  std::vector<int> lengths(static_cast<std::size_t>(size));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, raw);
  std::vector<int> offsets(static_cast<std::size_t>(size), 0);
  for (int r = 1; r < size; ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
  std::string all(static_cast<std::size_t>(offsets.back() + lengths.back()), '\0');
  MPI_Gatherv(line.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, raw);
  std::vector<std::string> lines;
  for (int r = 0; r < size; ++r) lines.push_back(all.substr(offsets[r], lengths[r]));
  return lines;
}

}  // namespace

int run_guarded(const std::function<int()>& body, const GuardOptions& options) {
  std::exception_ptr error;
  try {
    return body();
  } catch (...) {
    error = std::current_exception();
  }
  const Failure failure = describe(error, options);
  const std::string prefix = options.program + ": ";

  if (!Environment::exists() || Environment::current().world().size() == 1) {
    std::cerr << prefix << failure.line << std::endl;
    return failure.exit_code;
  }
  const Communicator& comm = Environment::current().error_communicator();
  const int rank = comm.rank();
  if (!all_ranks_failed(comm, agreement_seconds(options))) {
    std::cerr << prefix << "[rank " << rank << "] " << failure.line
              << " (other ranks did not fail: aborting the job)" << std::endl;
    MPI_Abort(MPI_COMM_WORLD, failure.exit_code);
    return failure.exit_code;
  }
  const std::vector<std::string> lines = gather_lines(comm, failure.line);
  if (rank == 0) {
    std::cerr << prefix << failure.line << std::endl;
    for (std::size_t r = 1; r < lines.size(); ++r)
      if (lines[r] != failure.line) std::cerr << prefix << "[rank " << r << "] " << lines[r] << std::endl;
  }
  return failure.exit_code;
}

}  // namespace opforge
