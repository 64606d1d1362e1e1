// Test program for opforge::run_guarded. Argument: the rank that fails ("all"
// = every rank fails the same way; "library" = every rank meets a library's
// exception whose message carries a stack trace, as LibTorch's do). Ranks that do not fail wait in a barrier,
// as they would in a collective of the real work.

#include <stdexcept>
#include <string>

#include "opforge/core/app.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/core/error.hpp"

int main(int argc, char** argv) {
  const std::string failing = argc > 1 ? argv[1] : "all";
  opforge::Environment env(argv[0], {});
  return opforge::run_guarded([&] {
    const int rank = env.world().rank();
    if (failing == "library")
      throw std::runtime_error("shape mismatch in a library\nException raised from f at lib.cpp:1\nframe #0: f()");
    if (failing == "all") OPFORGE_THROW(opforge::ConfigError, "every rank sees the same bad value");
    if (std::to_string(rank) == failing) OPFORGE_THROW(opforge::IoError, "rank ", rank, " cannot read its shard");
    env.world().barrier();  // never completes: the failing rank is not here
    return 0;
  });
}
