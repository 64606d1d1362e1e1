#include <gtest/gtest.h>
#include <petscvec.h>

#include "opforge/core/petsc_check.hpp"
#include "opforge/core/petsc_object.hpp"

namespace {

PetscInt reference_count(Vec vec) {
  PetscInt count = 0;
  OPFORGE_PETSC_CALL(PetscObjectGetReference(reinterpret_cast<PetscObject>(vec), &count));
  return count;
}

TEST(PetscOwner, ReleasesItsReferenceWhenDestroyed) {
  Vec observer = nullptr;
  {
    opforge::PetscOwner<Vec> owned;
    OPFORGE_PETSC_CALL(VecCreateSeq(PETSC_COMM_SELF, 5, owned.out()));
    observer = owned;
    OPFORGE_PETSC_CALL(PetscObjectReference(reinterpret_cast<PetscObject>(observer)));
    EXPECT_EQ(reference_count(observer), 2);
  }
  EXPECT_EQ(reference_count(observer), 1);
  OPFORGE_PETSC_CALL(VecDestroy(&observer));
}

TEST(PetscOwner, MoveTransfersOwnershipExactlyOnce) {
  opforge::PetscOwner<Vec> first;
  OPFORGE_PETSC_CALL(VecCreateSeq(PETSC_COMM_SELF, 3, first.out()));
  const Vec raw = first.get();
  opforge::PetscOwner<Vec> second = std::move(first);
  EXPECT_FALSE(first);
  EXPECT_EQ(second.get(), raw);
  PetscInt size = 0;
  OPFORGE_PETSC_CALL(VecGetSize(second, &size));
  EXPECT_EQ(size, 3);
  second.reset();
  EXPECT_FALSE(second);
}

}  // namespace
