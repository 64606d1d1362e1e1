#include "opforge/io/zip_integrity.hpp"

#include <zip.h>

#include <memory>
#include <vector>

#include "opforge/core/error.hpp"

namespace opforge::io {
namespace {

struct ArchiveCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }  // read-only: nothing to write back
};
struct EntryCloser {
  void operator()(zip_file_t* entry) const { zip_fclose(entry); }
};
using Archive = std::unique_ptr<zip_t, ArchiveCloser>;
using Entry = std::unique_ptr<zip_file_t, EntryCloser>;

std::string open_error(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

}  // namespace

void verify_zip_integrity(const std::string& path, const std::string& what) {
  int code = 0;
  // ZIP_CHECKCONS: the central directory and every local header must agree.
  const Archive archive(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  OPFORGE_CHECK(archive, IoError, what, " '", path, "' is corrupted or not a zip archive (", open_error(code), ")");
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  std::vector<char> buffer(1 << 20);
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* name = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    const std::string entry_name = name ? name : "#" + std::to_string(i);
    const Entry entry(zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0));
    OPFORGE_CHECK(entry, IoError, what, " '", path, "' is corrupted: entry '", entry_name,
                  "' cannot be read (", zip_strerror(archive.get()), ")");
    // libzip checks the CRC-32 when an entry has been read to its end.
    zip_int64_t read = 0;
    while ((read = zip_fread(entry.get(), buffer.data(), buffer.size())) > 0) {
    }
    OPFORGE_CHECK(read == 0, IoError, what, " '", path, "' is corrupted: entry '", entry_name, "' fails its check (",
                  zip_file_strerror(entry.get()), ")");
  }
}

}  // namespace opforge::io
