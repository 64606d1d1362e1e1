#include "opforge/io/hdf5.hpp"

#include "opforge/core/text.hpp"

namespace opforge::h5 {

void silence_error_stack() {
  static const bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

std::string error_stack_text() {
  std::vector<std::string> messages;
  auto collect = [](unsigned, const H5E_error2_t* error, void* data) -> herr_t {
    auto* out = static_cast<std::vector<std::string>*>(data);
    std::string text = error->desc ? error->desc : "";
    if (text.empty() && error->func_name) text = error->func_name;
    if (!text.empty() && (out->empty() || out->back() != text)) out->push_back(text);
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &messages);
  H5Eclear2(H5E_DEFAULT);
  if (messages.empty()) return "unknown HDF5 error";
  // Outermost (what failed) and innermost (why) are the informative ends.
  if (messages.size() > 3) messages = {messages.front(), messages[messages.size() - 2], messages.back()};
  return join(messages, ": ");
}

void Id::close(const char* file, int line) {
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  if (closer_(id) < 0) throw Hdf5Error("closing an HDF5 object failed: " + error_stack_text(), file, line);
}

void write_string_attribute(hid_t object, const std::string& name, const std::string& value) {
  Id type(OPFORGE_H5_CALL(H5Tcopy(H5T_C_S1)), H5Tclose);
  OPFORGE_H5_CALL(H5Tset_size(type, value.empty() ? 1 : value.size()));
  OPFORGE_H5_CALL(H5Tset_cset(type, H5T_CSET_UTF8));
  OPFORGE_H5_CALL(H5Tset_strpad(type, H5T_STR_NULLPAD));
  Id space(OPFORGE_H5_CALL(H5Screate(H5S_SCALAR)), H5Sclose);
  if (H5Aexists(object, name.c_str()) > 0) OPFORGE_H5_CALL(H5Adelete(object, name.c_str()));
  Id attribute(OPFORGE_H5_CALL(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT)), H5Aclose);
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  OPFORGE_H5_CALL(H5Awrite(attribute, type, padded.data()));
}

void write_int_attribute(hid_t object, const std::string& name, std::int64_t value) {
  Id space(OPFORGE_H5_CALL(H5Screate(H5S_SCALAR)), H5Sclose);
  if (H5Aexists(object, name.c_str()) > 0) OPFORGE_H5_CALL(H5Adelete(object, name.c_str()));
  Id attribute(OPFORGE_H5_CALL(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT)),
               H5Aclose);
  OPFORGE_H5_CALL(H5Awrite(attribute, H5T_NATIVE_INT64, &value));
}

bool has_attribute(hid_t object, const std::string& name) { return OPFORGE_H5_CALL(H5Aexists(object, name.c_str())) > 0; }

namespace {
/// Elements in an attribute (0 for a null dataspace): every reader below
/// reads one, so anything else is refused before H5Aread writes past it.
hssize_t element_count(hid_t attribute) {
  Id space(OPFORGE_H5_CALL(H5Aget_space(attribute)), H5Sclose);
  return OPFORGE_H5_CALL(H5Sget_simple_extent_npoints(space));
}

std::string read_string_from(hid_t attribute, const std::string& name) {
  Id type(OPFORGE_H5_CALL(H5Aget_type(attribute)), H5Tclose);
  OPFORGE_CHECK(H5Tget_class(type) == H5T_STRING, IoError, "attribute '", name, "' is not a string");
  const hssize_t count = element_count(attribute);
  OPFORGE_CHECK(count == 1, IoError, "attribute '", name, "' holds ", count, " strings, expected one");
  if (H5Tis_variable_str(type) > 0) {
    Id memory(OPFORGE_H5_CALL(H5Tcopy(H5T_C_S1)), H5Tclose);
    OPFORGE_H5_CALL(H5Tset_size(memory, H5T_VARIABLE));
    char* text = nullptr;
    OPFORGE_H5_CALL(H5Aread(attribute, memory, &text));
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(type), '\0');
  OPFORGE_H5_CALL(H5Aread(attribute, type, value.data()));
  return value.substr(0, value.find('\0'));
}
}  // namespace

std::string read_string_attribute(hid_t object, const std::string& name) {
  Id attribute(OPFORGE_H5_CALL(H5Aopen(object, name.c_str(), H5P_DEFAULT)), H5Aclose);
  return read_string_from(attribute, name);
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
  Id attribute(OPFORGE_H5_CALL(H5Aopen(object, name.c_str(), H5P_DEFAULT)), H5Aclose);
  Id type(OPFORGE_H5_CALL(H5Aget_type(attribute)), H5Tclose);
  OPFORGE_CHECK(H5Tget_class(type) == H5T_INTEGER, IoError, "attribute '", name, "' is not an integer");
  const hssize_t count = element_count(attribute);
  OPFORGE_CHECK(count == 1, IoError, "attribute '", name, "' holds ", count, " values, expected one");
  std::int64_t value = 0;
  OPFORGE_H5_CALL(H5Aread(attribute, H5T_NATIVE_INT64, &value));
  return value;
}

std::vector<std::pair<std::string, std::string>> read_attributes_as_text(hid_t object) {
  std::vector<std::pair<std::string, std::string>> out;
  auto visit = [](hid_t location, const char* name, const H5A_info_t*, void* data) -> herr_t {
    auto* list = static_cast<std::vector<std::pair<std::string, std::string>>*>(data);
    Id attribute(H5Aopen(location, name, H5P_DEFAULT), H5Aclose);
    if (!attribute) return 0;
    Id type(H5Aget_type(attribute), H5Tclose);
    std::string text;
    const H5T_class_t type_class = H5Tget_class(type);
    if (const hssize_t count = element_count(attribute); count != 1) {
      text = "(" + std::to_string(count) + " values)";
    } else if (type_class == H5T_STRING) {
      text = read_string_from(attribute, name);
    } else if (type_class == H5T_INTEGER) {
      std::int64_t value = 0;
      if (H5Aread(attribute, H5T_NATIVE_INT64, &value) >= 0) text = std::to_string(value);
    } else if (type_class == H5T_FLOAT) {
      double value = 0;
      if (H5Aread(attribute, H5T_NATIVE_DOUBLE, &value) >= 0) text = std::to_string(value);
    } else {
      text = "(unsupported attribute type)";
    }
    list->emplace_back(name, text);
    return 0;
  };
  hsize_t index = 0;
  OPFORGE_H5_CALL(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, visit, &out));
  return out;
}

void write_string_dataset(hid_t parent, const std::string& name, const std::string& value) {
  // Fixed-length: parallel HDF5 1.10 cannot write variable-length strings.
  Id type(OPFORGE_H5_CALL(H5Tcopy(H5T_C_S1)), H5Tclose);
  OPFORGE_H5_CALL(H5Tset_size(type, value.empty() ? 1 : value.size()));
  OPFORGE_H5_CALL(H5Tset_cset(type, H5T_CSET_UTF8));
  OPFORGE_H5_CALL(H5Tset_strpad(type, H5T_STR_NULLPAD));
  Id space(OPFORGE_H5_CALL(H5Screate(H5S_SCALAR)), H5Sclose);
  Id dataset(OPFORGE_H5_CALL(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)),
             H5Dclose);
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  OPFORGE_H5_CALL(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, padded.data()));
}

std::string read_string_dataset(hid_t parent, const std::string& name) {
  Id dataset(OPFORGE_H5_CALL(H5Dopen2(parent, name.c_str(), H5P_DEFAULT)), H5Dclose);
  Id type(OPFORGE_H5_CALL(H5Dget_type(dataset)), H5Tclose);
  OPFORGE_CHECK(H5Tget_class(type) == H5T_STRING, IoError, name, " is not a string");
  Id space(OPFORGE_H5_CALL(H5Dget_space(dataset)), H5Sclose);
  const hssize_t count = OPFORGE_H5_CALL(H5Sget_simple_extent_npoints(space));
  OPFORGE_CHECK(count == 1, IoError, name, " holds ", count, " strings, expected one");
  if (H5Tis_variable_str(type) > 0) {
    char* text = nullptr;
    OPFORGE_H5_CALL(H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text));
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(type), '\0');
  OPFORGE_H5_CALL(H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()));
  return value.substr(0, value.find('\0'));
}

bool link_exists(hid_t parent, const std::string& path) {
  // H5Lexists fails (rather than returning false) when an intermediate group is missing.
  std::string prefix;
  for (const auto& part : split(path, '/')) {
    if (part.empty()) continue;
    prefix += "/" + part;
    if (H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

std::vector<hsize_t> dims_of(hid_t dataset) {
  Id space(OPFORGE_H5_CALL(H5Dget_space(dataset)), H5Sclose);
  const int rank = OPFORGE_H5_CALL(H5Sget_simple_extent_ndims(space));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  OPFORGE_H5_CALL(H5Sget_simple_extent_dims(space, dims.data(), nullptr));
  return dims;
}

Id select_sample(hid_t dataset, std::int64_t index) {
  Id space(OPFORGE_H5_CALL(H5Dget_space(dataset)), H5Sclose);
  std::vector<hsize_t> count = dims_of(dataset), start(count.size(), 0);
  start[0] = static_cast<hsize_t>(index);
  count[0] = 1;
  OPFORGE_H5_CALL(H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr));
  return space;
}

Id sample_memory_space(hid_t dataset) {
  std::vector<hsize_t> dims = dims_of(dataset);
  dims[0] = 1;
  return Id(OPFORGE_H5_CALL(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr)), H5Sclose);
}

}  // namespace opforge::h5
