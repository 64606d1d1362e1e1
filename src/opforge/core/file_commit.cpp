#include "opforge/core/file_commit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "opforge/core/error.hpp"

namespace opforge {
namespace {

/// Opens read-only (enough for fsync on Linux, and the only way for a
/// directory), syncs, closes; "" on success, else the failing call's message.
std::string sync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::string("open: ") + std::strerror(errno);
  std::string failure;
  if (::fsync(fd) != 0) failure = std::string("fsync: ") + std::strerror(errno);
  ::close(fd);
  return failure;
}

}  // namespace

void sync_file(const std::string& path) {
  const std::string failure = sync_path(path);
  OPFORGE_CHECK(failure.empty(), IoError, "cannot sync '", path, "' to disk (", failure, ")");
}

void commit_file(const std::string& temporary, const std::string& path) {
  sync_file(temporary);
  OPFORGE_CHECK(std::rename(temporary.c_str(), path.c_str()) == 0, IoError, "cannot rename '", temporary, "' to '",
                path, "': ", std::strerror(errno));
  std::string directory = std::filesystem::path(path).parent_path().string();
  if (directory.empty()) directory = ".";
  const std::string failure = sync_path(directory);
  OPFORGE_CHECK(failure.empty(), IoError, "renamed '", temporary, "' to '", path, "' but cannot sync the directory '",
                directory, "' (", failure, ")");
}

}  // namespace opforge
