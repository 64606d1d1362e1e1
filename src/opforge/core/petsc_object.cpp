#include "opforge/core/petsc_object.hpp"

#include "opforge/core/petsc_check.hpp"

namespace opforge {

namespace detail {
void destroy_petsc_object(_p_PetscObject** object) noexcept {
  PetscBool finalized = PETSC_TRUE;
  if (PetscFinalized(&finalized) == 0 && !finalized) (void)PetscObjectDestroy(object);
}
}  // namespace detail

std::string petsc_error_text(PetscErrorCode code) {
  const char* generic = nullptr;
  char* specific = nullptr;
  if (PetscErrorMessage(code, &generic, &specific) != 0) return "PETSc error " + std::to_string(code);
  std::string text = specific && *specific ? specific : (generic ? generic : "unknown PETSc error");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text + " (PETSc error " + std::to_string(code) + ")";
}

}  // namespace opforge
