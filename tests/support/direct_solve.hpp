#pragma once
// Reference solves for tests: a sparse direct LU of a GridSystem, independent
// of the solver configuration under test.

#include "opforge/solve/grid_system.hpp"

namespace opforge::test_support {

/// Solve `system` (already assembled) with LU (MUMPS); the solution is left
/// in system.solution(). Collective over the system's communicator.
void solve_directly(solve::GridSystem& system);

}  // namespace opforge::test_support
