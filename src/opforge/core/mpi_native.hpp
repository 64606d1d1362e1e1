#pragma once
/// @file
/// Private bridge to the MPI C API: the checking macro and the raw handle of
/// an opforge::Communicator. Include only in .cpp files that call MPI.

#include <mpi.h>

#include <cstring>
#include <string>

#include "opforge/core/communicator.hpp"
#include "opforge/core/error.hpp"

namespace opforge {

static_assert(sizeof(MPI_Comm) <= sizeof(std::uintptr_t), "MPI_Comm must fit in an integer");

inline MPI_Comm native(const Communicator& comm) {
  MPI_Comm raw;
  const std::uintptr_t bits = comm.handle_bits();
  std::memcpy(&raw, &bits, sizeof raw);
  return raw;
}

inline std::uintptr_t handle_bits_of(MPI_Comm raw) {
  std::uintptr_t bits = 0;
  std::memcpy(&bits, &raw, sizeof raw);
  return bits;
}

static_assert(sizeof(MPI_Request) <= sizeof(std::uintptr_t), "MPI_Request must fit in an integer");

inline MPI_Request native_request(std::uintptr_t bits) {
  MPI_Request raw;
  std::memcpy(&raw, &bits, sizeof raw);
  return raw;
}

inline std::uintptr_t request_bits_of(MPI_Request raw) {
  std::uintptr_t bits = 0;
  std::memcpy(&bits, &raw, sizeof raw);
  return bits;
}

std::string mpi_error_string(int code);
MPI_Datatype native(Datatype type);
MPI_Op native(ReduceOp op);

}  // namespace opforge

/// Turn a non-success MPI return code into an opforge::MpiError.
#define OPFORGE_MPI_CALL(call)                                                          \
  do {                                                                                  \
    const int opforge_mpi_code_ = (call);                                               \
    if (opforge_mpi_code_ != MPI_SUCCESS)                                               \
      throw ::opforge::MpiError(opforge_mpi_code_,                                      \
                                std::string(#call ": ") +                               \
                                    ::opforge::mpi_error_string(opforge_mpi_code_),     \
                                __FILE__, __LINE__);                                    \
  } while (false)
