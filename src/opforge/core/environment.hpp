#pragma once
/// @file
/// The process environment: MPI and PETSc initialised once, finalised once.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "opforge/core/communicator.hpp"

namespace opforge {

/// Options that one run put into the PETSc options database; they are removed
/// again when this goes out of scope, so runs in one process do not leak
/// options into each other.
class ScopedPetscOptions {
public:
  ScopedPetscOptions() = default;
  explicit ScopedPetscOptions(std::vector<std::string> inserted) : inserted_(std::move(inserted)) {}
  ScopedPetscOptions(const ScopedPetscOptions&) = delete;
  ScopedPetscOptions& operator=(const ScopedPetscOptions&) = delete;
  ScopedPetscOptions(ScopedPetscOptions&& other) noexcept : inserted_(std::move(other.inserted_)) {
    other.inserted_.clear();
  }
  ScopedPetscOptions& operator=(ScopedPetscOptions&& other) noexcept;
  ~ScopedPetscOptions();
  const std::vector<std::string>& inserted() const noexcept { return inserted_; }

private:
  std::vector<std::string> inserted_;
};

/// RAII owner of MPI + PETSc. Exactly one may exist in a process; it must be
/// created before any other opforge call that communicates or solves.
class Environment {
public:
  /// @param program      argv[0], shown by PETSc in its messages
  /// @param petsc_args   arguments for the PETSc options database
  ///                     (everything after `--` on the command line)
  Environment(const std::string& program, const std::vector<std::string>& petsc_args);
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  ~Environment();

  /// The live environment; throws InternalError when there is none.
  static Environment& current();
  static bool exists() noexcept;

  const Communicator& world() const noexcept { return world_; }
  /// A private duplicate of MPI_COMM_WORLD used only to agree on failures, so
  /// that error handling never matches a collective of the failed work.
  const Communicator& error_communicator() const noexcept { return error_comm_; }

  /// Insert options into the PETSc options database (keys like "-ksp_type",
  /// values may be empty) until the returned guard is destroyed. Options
  /// already in the database (given on the command line) win, as PETSc users
  /// expect. `source` names where they came from, for errors.
  [[nodiscard]] ScopedPetscOptions insert_petsc_options(const std::map<std::string, std::string>& options,
                                                        const std::string& source);

  /// Versions of the libraries opforge was built with and runs on:
  /// keys "petsc", "mpi" (library string), "mpi_standard".
  static std::map<std::string, std::string> library_versions();

private:
  std::vector<std::string> argv_storage_;
  std::vector<char*> argv_pointers_;
  Communicator world_;
  Communicator error_comm_;
  bool initialized_mpi_ = false;
};

}  // namespace opforge
