// GoogleTest main for opforge tests: MPI + PETSc are initialised once through
// opforge::Environment; every rank runs every test; rank 0 prints the usual
// report, other ranks print only their failures; the exit code is non-zero on
// every rank when any rank failed.

#include <gtest/gtest.h>

#include <iostream>

#include "opforge/core/environment.hpp"

namespace {

class FailuresOnlyPrinter : public testing::EmptyTestEventListener {
public:
  explicit FailuresOnlyPrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::cerr << "[rank " << rank_ << "] " << (result.file_name() ? result.file_name() : "?") << ":"
              << result.line_number() << ": " << result.summary() << std::endl;
  }

private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  opforge::Environment env(argv[0], {});
  const int rank = env.world().rank();
  if (rank != 0) {
    auto& listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailuresOnlyPrinter(rank));
  }
  const int local = RUN_ALL_TESTS();
  const bool all_passed = env.world().all_of(local == 0);
  return all_passed ? 0 : 1;
}
