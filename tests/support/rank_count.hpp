#pragma once
// Names for files and run directories that a test writes: the same test runs
// at several rank counts (test.np1, test.np2), possibly at once, so every
// name carries the rank count.

#include <string>

#include "opforge/core/communicator.hpp"
#include "opforge/core/environment.hpp"

namespace opforge::test_support {

/// "_np<P>" for the world communicator's size P.
inline std::string rank_count_suffix() { return "_np" + std::to_string(Environment::current().world().size()); }

}  // namespace opforge::test_support
