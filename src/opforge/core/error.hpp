#pragma once
/// @file
/// The opforge error hierarchy. Every failure that a user can cause or meet
/// (bad config, missing file, a C library reporting an error) is an exception
/// derived from opforge::Error; applications catch once (see app.hpp).

#include <sstream>
#include <stdexcept>
#include <string>

namespace opforge {

/// Base of every opforge exception. what() is "message"; where() is the
/// source location that raised it ("file.cpp:123"), kept apart so that user
/// messages stay one clean line while logs can still show the origin.
class Error : public std::runtime_error {
public:
  Error(const std::string& message, const char* file, int line);
  const std::string& where() const noexcept { return where_; }
  /// A short category name printed before the message ("config", "hdf5", ...).
  virtual const char* kind() const noexcept { return "error"; }

private:
  std::string where_;
};

/// A usage error: bad arguments, options or values given by the user.
class UsageError : public Error {
public:
  using Error::Error;
  const char* kind() const noexcept override { return "usage"; }
};

/// An invalid configuration file or override; the message names the file,
/// key path and line:column where known.
class ConfigError : public Error {
public:
  using Error::Error;
  const char* kind() const noexcept override { return "config"; }
};

/// A file that cannot be opened, read or written, or whose layout is wrong.
class IoError : public Error {
public:
  using Error::Error;
  const char* kind() const noexcept override { return "io"; }
};

/// An error code returned by PETSc.
class PetscError : public Error {
public:
  PetscError(int code, const std::string& message, const char* file, int line);
  int code() const noexcept { return code_; }
  const char* kind() const noexcept override { return "petsc"; }

private:
  int code_;
};

/// An error code returned by MPI.
class MpiError : public Error {
public:
  MpiError(int code, const std::string& message, const char* file, int line);
  int code() const noexcept { return code_; }
  const char* kind() const noexcept override { return "mpi"; }

private:
  int code_;
};

/// A negative return value from the HDF5 C library.
class Hdf5Error : public IoError {
public:
  using IoError::IoError;
  const char* kind() const noexcept override { return "hdf5"; }
};

/// A violated internal invariant: a bug in opforge, not a user error.
class InternalError : public Error {
public:
  using Error::Error;
  const char* kind() const noexcept override { return "internal"; }
};

namespace detail {
inline std::string concat_message() { return {}; }
template <typename T, typename... Rest>
std::string concat_message(const T& first, const Rest&... rest) {
  std::ostringstream os;
  os << first;
  ((os << rest), ...);
  return os.str();
}
}  // namespace detail

}  // namespace opforge

/// Throw ExceptionType built from the streamed pieces, with this file:line.
#define OPFORGE_THROW(ExceptionType, ...) \
  throw ExceptionType(::opforge::detail::concat_message(__VA_ARGS__), __FILE__, __LINE__)

/// Always-on check of a user- or environment-caused condition.
#define OPFORGE_CHECK(condition, ExceptionType, ...)   \
  do {                                                 \
    if (!(condition)) OPFORGE_THROW(ExceptionType, __VA_ARGS__); \
  } while (false)

/// Check of an internal invariant; a failure is a bug in opforge.
#define OPFORGE_ASSERT(condition)                                                  \
  do {                                                                             \
    if (!(condition)) OPFORGE_THROW(::opforge::InternalError, "assertion failed: " #condition); \
  } while (false)
