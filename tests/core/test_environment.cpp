#include <gtest/gtest.h>

#include "opforge/core/environment.hpp"
#include <petscvec.h>

#include "opforge/core/petsc_check.hpp"

namespace {

std::string petsc_option(const char* name) {
  char value[256] = {0};
  PetscBool set = PETSC_FALSE;
  OPFORGE_PETSC_CALL(PetscOptionsGetString(nullptr, nullptr, name, value, sizeof value, &set));
  return set ? value : "<unset>";
}

TEST(Environment, ConfigPetscOptionsReachTheOptionsDatabase) {
  auto& env = opforge::Environment::current();
  {
    const auto scope =
        env.insert_petsc_options({{"-opforge_test_ksp_type", "cg"}, {"-opforge_test_flag", ""}}, "test.yaml");
    EXPECT_EQ(petsc_option("-opforge_test_ksp_type"), "cg");
    PetscBool flag = PETSC_FALSE;
    OPFORGE_PETSC_CALL(PetscOptionsHasName(nullptr, nullptr, "-opforge_test_flag", &flag));
    EXPECT_TRUE(flag);
  }
  // The run is over: its options are gone, so the next run starts clean.
  EXPECT_EQ(petsc_option("-opforge_test_ksp_type"), "<unset>");
}

TEST(Environment, CommandLinePetscOptionsWinOverConfig) {
  // An option already in the database stands for one given after `--`.
  OPFORGE_PETSC_CALL(PetscOptionsSetValue(nullptr, "-opforge_test_pc_type", "jacobi"));
  {
    const auto scope =
        opforge::Environment::current().insert_petsc_options({{"-opforge_test_pc_type", "ilu"}}, "test.yaml");
    EXPECT_EQ(petsc_option("-opforge_test_pc_type"), "jacobi");
    EXPECT_TRUE(scope.inserted().empty());
  }
  EXPECT_EQ(petsc_option("-opforge_test_pc_type"), "jacobi");  // not ours to remove
}

TEST(Environment, PetscOptionWithoutDashIsAConfigError) {
  try {
    const auto scope = opforge::Environment::current().insert_petsc_options({{"ksp_type", "cg"}}, "run.yaml");
    FAIL() << "no exception";
  } catch (const opforge::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("run.yaml: PETSc option 'ksp_type' must start with '-'"), std::string::npos)
        << e.what();
  }
}

TEST(Environment, PetscErrorCodeBecomesExceptionWithPetscMessage) {
  Vec vec = nullptr;
  OPFORGE_PETSC_CALL(VecCreate(PETSC_COMM_SELF, &vec));
  try {
    OPFORGE_PETSC_CALL(VecSetSizes(vec, 4, 3));  // local size larger than global
    FAIL() << "no exception";
  } catch (const opforge::PetscError& e) {
    EXPECT_NE(e.code(), 0);
    EXPECT_NE(std::string(e.what()).find("(PETSc error"), std::string::npos) << e.what();
    EXPECT_GT(std::string(e.what()).size(), 30u) << e.what();
  }
  OPFORGE_PETSC_CALL(VecDestroy(&vec));
}

TEST(Environment, ReportsLibraryVersions) {
  const auto versions = opforge::Environment::library_versions();
  ASSERT_TRUE(versions.count("petsc"));
  EXPECT_NE(versions.at("petsc").find("3.18"), std::string::npos);
  ASSERT_TRUE(versions.count("mpi"));
  EXPECT_FALSE(versions.at("mpi").empty());
}

}  // namespace
