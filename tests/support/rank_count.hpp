#pragma once
// Names for files and run directories that a test writes: the same test runs
// at several rank counts (test.np1, test.np2), possibly at once, so every
// name carries the rank count.

#include <filesystem>
#include <string>

#include "opforge/core/communicator.hpp"
#include "opforge/core/environment.hpp"

namespace opforge::test_support {

/// "_np<P>" for the world communicator's size P.
inline std::string rank_count_suffix() { return "_np" + std::to_string(Environment::current().world().size()); }

/// `run`, removed first (by rank 0, then a barrier) so that reruns of a suite start clean.
inline std::string fresh_directory(const std::string& run) {
  const auto& world = Environment::current().world();
  if (world.rank() == 0) std::filesystem::remove_all(run);
  world.barrier();
  return run;
}

}  // namespace opforge::test_support
