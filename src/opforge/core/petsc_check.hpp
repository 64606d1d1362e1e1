#pragma once
/// @file
/// Private bridge to PETSc: the checking macro. Include only in .cpp files.

#include <petscsys.h>

#include <string>

#include "opforge/core/error.hpp"

namespace opforge {
/// The message PETSc recorded for the most recent error with this code.
std::string petsc_error_text(PetscErrorCode code);
}  // namespace opforge

/// Turn a non-zero PETSc error code into an opforge::PetscError.
#define OPFORGE_PETSC_CALL(call)                                                             \
  do {                                                                                       \
    const PetscErrorCode opforge_petsc_code_ = (call);                                       \
    if (PetscUnlikely(opforge_petsc_code_ != 0))                                             \
      throw ::opforge::PetscError(static_cast<int>(opforge_petsc_code_),                     \
                                  ::opforge::petsc_error_text(opforge_petsc_code_), __FILE__, \
                                  __LINE__);                                                 \
  } while (false)
