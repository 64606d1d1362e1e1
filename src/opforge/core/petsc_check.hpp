#pragma once
/// @file
/// Private bridge to PETSc: the checking macro and a scope for PETSc log
/// events. Include only in .cpp files.

#include <petscsys.h>

#include <string>

#include "opforge/core/error.hpp"

namespace opforge {
/// The message PETSc recorded for the most recent error with this code.
std::string petsc_error_text(PetscErrorCode code);

/// Begins a PETSc log event (-log_view) on construction, ends it on destruction.
class PetscEventScope {
public:
  explicit PetscEventScope(PetscLogEvent event) : event_(event) { PetscLogEventBegin(event_, 0, 0, 0, 0); }
  ~PetscEventScope() { PetscLogEventEnd(event_, 0, 0, 0, 0); }
  PetscEventScope(const PetscEventScope&) = delete;
  PetscEventScope& operator=(const PetscEventScope&) = delete;

private:
  PetscLogEvent event_;
};
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
