#pragma once
/// @file
/// Move-only owner of any PETSc object (Vec, Mat, KSP, DM, ...). Only the
/// opaque pointer types are named here; petsc.h stays out of public headers.

#include <utility>

struct _p_PetscObject;

namespace opforge {

namespace detail {
/// PetscObjectDestroy, never throwing (errors are ignored at destruction).
void destroy_petsc_object(_p_PetscObject** object) noexcept;
}  // namespace detail

/// Owns one reference to a PETSc object of handle type `Handle` (e.g. Vec).
/// Create through out(): `OPFORGE_PETSC_CALL(VecCreate(comm, vec.out()));`
template <typename Handle> class PetscOwner {
public:
  PetscOwner() = default;
  explicit PetscOwner(Handle adopted) noexcept : handle_(adopted) {}
  PetscOwner(const PetscOwner&) = delete;
  PetscOwner& operator=(const PetscOwner&) = delete;
  PetscOwner(PetscOwner&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  PetscOwner& operator=(PetscOwner&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  ~PetscOwner() { reset(); }

  Handle get() const noexcept { return handle_; }
  operator Handle() const noexcept { return handle_; }  // NOLINT: drop-in for PETSc calls
  explicit operator bool() const noexcept { return handle_ != nullptr; }

  /// Destroys the held object and returns the slot for a PETSc *Create call.
  Handle* out() noexcept {
    reset();
    return &handle_;
  }
  void reset() noexcept {
    if (handle_) detail::destroy_petsc_object(reinterpret_cast<_p_PetscObject**>(&handle_));
    handle_ = nullptr;
  }
  Handle release() noexcept { return std::exchange(handle_, nullptr); }

private:
  Handle handle_ = nullptr;
};

}  // namespace opforge
