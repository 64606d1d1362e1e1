#include <gtest/gtest.h>

#include "opforge/core/error.hpp"

namespace {

TEST(Error, ThrowMacroCarriesMessageAndSourceLocation) {
  try {
    OPFORGE_THROW(opforge::ConfigError, "value ", 42, " is bad");
    FAIL() << "no exception";
  } catch (const opforge::ConfigError& e) {
    EXPECT_STREQ(e.what(), "value 42 is bad");
    EXPECT_EQ(e.where().rfind("test_error.cpp:", 0), 0u) << e.where();
    EXPECT_STREQ(e.kind(), "config");
  }
}

TEST(Error, CheckMacroThrowsOnlyWhenConditionFails) {
  EXPECT_NO_THROW(OPFORGE_CHECK(1 + 1 == 2, opforge::UsageError, "never"));
  EXPECT_THROW(OPFORGE_CHECK(1 + 1 == 3, opforge::UsageError, "arithmetic"), opforge::UsageError);
}

TEST(Error, HierarchyLetsAppsCatchOnce) {
  EXPECT_THROW(throw opforge::Hdf5Error("x", __FILE__, __LINE__), opforge::IoError);
  EXPECT_THROW(throw opforge::PetscError(73, "x", __FILE__, __LINE__), opforge::Error);
  EXPECT_THROW(throw opforge::MpiError(1, "x", __FILE__, __LINE__), opforge::Error);
  EXPECT_THROW(OPFORGE_ASSERT(false), opforge::InternalError);
}

TEST(Error, PetscAndMpiErrorsKeepTheirCode) {
  const opforge::PetscError petsc(73, "m", "f.cpp", 1);
  const opforge::MpiError mpi(5, "m", "f.cpp", 1);
  EXPECT_EQ(petsc.code(), 73);
  EXPECT_EQ(mpi.code(), 5);
}

}  // namespace
