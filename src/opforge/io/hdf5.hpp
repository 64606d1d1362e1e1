#pragma once
/// @file
/// Private bridge to the HDF5 C API: RAII ids, the checking macro and small
/// attribute helpers. Include only in .cpp files under io/.

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "opforge/core/error.hpp"

namespace opforge::h5 {

/// Silence HDF5's automatic error-stack printing (we report errors ourselves).
void silence_error_stack();
/// The current HDF5 error stack as one line, outermost to innermost cause.
std::string error_stack_text();

template <typename T> T check(T result, const char* expression, const char* file, int line) {
  if (result < 0) throw Hdf5Error(std::string(expression) + " failed: " + error_stack_text(), file, line);
  return result;
}

/// Owner of one HDF5 identifier, closed with the matching H5*close.
class Id {
public:
  using Closer = herr_t (*)(hid_t);
  Id() = default;
  Id(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id(Id&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  ~Id() { reset(); }
  hid_t get() const noexcept { return id_; }
  operator hid_t() const noexcept { return id_; }  // NOLINT: drop-in for H5 calls
  explicit operator bool() const noexcept { return id_ >= 0; }
  void reset() noexcept {
    if (id_ >= 0 && closer_) closer_(id_);
    id_ = H5I_INVALID_HID;
  }
  /// Close now, reporting failure (a destructor cannot).
  void close(const char* file, int line);
  /// Give up ownership without closing (used when a collective close is impossible).
  void leak() noexcept { id_ = H5I_INVALID_HID; }

private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Attributes on any object (file root, dataset, group).
void write_string_attribute(hid_t object, const std::string& name, const std::string& value);
void write_int_attribute(hid_t object, const std::string& name, std::int64_t value);
bool has_attribute(hid_t object, const std::string& name);
std::string read_string_attribute(hid_t object, const std::string& name);
std::int64_t read_int_attribute(hid_t object, const std::string& name);
/// Every attribute of `object`, rendered as text (numbers in decimal).
std::vector<std::pair<std::string, std::string>> read_attributes_as_text(hid_t object);

/// Scalar variable-length UTF-8 string dataset (no 64 KiB attribute limit).
void write_string_dataset(hid_t parent, const std::string& name, const std::string& value);
std::string read_string_dataset(hid_t parent, const std::string& name);

bool link_exists(hid_t parent, const std::string& path);

/// Extents of a dataset.
std::vector<hsize_t> dims_of(hid_t dataset);
/// A file space of `dataset` with entry `index` of its first axis selected
/// (one sample of a sample-major dataset).
Id select_sample(hid_t dataset, std::int64_t index);
/// A memory space for one sample of `dataset`: its extents with the first
/// set to 1. Matching the selection's shape (not a flat 1-D space) lets
/// HDF5 map the sample to its chunk at once instead of element by element,
/// which cost 0.35 ms per 10^4-value sample written.
Id sample_memory_space(hid_t dataset);

}  // namespace opforge::h5

/// Check an HDF5 call (negative = failure) and return its result.
#define OPFORGE_H5_CALL(call) ::opforge::h5::check((call), #call, __FILE__, __LINE__)
