#pragma once
/// @file
/// Durable replacement of a file: the writer fills a temporary file, then
/// commit_file() makes it the real one. A killed process leaves the old file
/// (rename is atomic); a node crash or power loss could still lose a renamed
/// file whose data or directory entry were not yet on disk, so the data are
/// synced before the rename and the directory after it, as SQLite and the
/// HDF5 guidance on crash-safe files do.

#include <string>

namespace opforge {

/// fsync(2) of the file at `path` (its data and size). Throws IoError.
void sync_file(const std::string& path);

/// fsync(temporary), rename(temporary, path), fsync of path's directory.
/// Throws IoError naming both files; a failure before the rename leaves
/// `path` untouched.
void commit_file(const std::string& temporary, const std::string& path);

}  // namespace opforge
