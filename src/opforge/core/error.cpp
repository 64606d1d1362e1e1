#include "opforge/core/error.hpp"

namespace opforge {
namespace {
std::string basename_of(const char* file) {
  std::string path = file ? file : "?";
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
}  // namespace

Error::Error(const std::string& message, const char* file, int line)
    : std::runtime_error(message), where_(basename_of(file) + ":" + std::to_string(line)) {}

PetscError::PetscError(int code, const std::string& message, const char* file, int line)
    : Error(message, file, line), code_(code) {}

MpiError::MpiError(int code, const std::string& message, const char* file, int line)
    : Error(message, file, line), code_(code) {}

}  // namespace opforge
