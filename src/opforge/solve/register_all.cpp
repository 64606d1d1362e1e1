#include "opforge/solve/register_all.hpp"

#include "opforge/solve/gcrodr.hpp"

namespace opforge::solve {

void register_all() {
  static bool registered = false;  // PETSc's own registries are process-wide too
  if (registered) return;
  register_gcrodr();
  registered = true;
}

}  // namespace opforge::solve
