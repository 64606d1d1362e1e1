// libFuzzer target for the dataset reader. The input is a recipe of edits
// applied with the HDF5 API to a copy of a valid opforge dataset (the
// template, $OPFORGE_FUZZ_TEMPLATE): delete an object or an attribute,
// rewrite an attribute with another type or value, replace a dataset by one
// of another shape and type, or cut a dataset's sample axis short. The edited
// file is then opened with io::DatasetReader and read the way opforge reads
// one (layout, masks, attributes, config, every written sample, every
// metadata array). It must either work or raise an opforge::Error — never
// crash, leak another exception type, or trip AddressSanitizer/UBSan.
// Mutating the bytes of the file instead would fuzz libhdf5's own parser,
// which is not opforge's to fix.
//   scripts/fuzz-dataset.sh [SECONDS]       (builds with clang, runs, keeps findings)
#include <hdf5.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "opforge/core/error.hpp"
#include "opforge/io/dataset_reader.hpp"

namespace {

std::string template_path;
std::string work_path;
std::vector<std::string> datasets, groups;
std::vector<std::pair<std::string, std::string>> attributes;  // (object, attribute)

/// The bytes of the recipe, read front to back; zeros once they run out.
struct Recipe {
  const std::uint8_t* data;
  std::size_t size, at = 0;
  bool more() const { return at < size; }
  std::uint8_t byte() { return at < size ? data[at++] : 0; }
  std::int64_t integer() {
    std::int64_t v = 0;
    for (int k = 0; k < 8; ++k) v = (v << 8) | byte();
    return v;
  }
  template <typename T> const T& pick(const std::vector<T>& from) { return from[byte() % from.size()]; }
};

herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* object) {
  attributes.emplace_back(*static_cast<std::string*>(object), name);
  return 0;
}

herr_t collect_object(hid_t root, const char* name, const H5O_info_t* info, void*) {
  std::string path = std::string("/") + (std::string(name) == "." ? "" : name);
  if (info->type == H5O_TYPE_DATASET) datasets.push_back(path);
  if (info->type == H5O_TYPE_GROUP) groups.push_back(path);
  hid_t object = H5Oopen(root, name, H5P_DEFAULT);
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_attribute, &path);
  H5Oclose(object);
  return 0;
}

/// One of a few types: float32, float64, int32, int64, uint8, a string.
hid_t pick_type(Recipe& r) {
  switch (r.byte() % 6) {
    case 0: return H5Tcopy(H5T_NATIVE_FLOAT);
    case 1: return H5Tcopy(H5T_NATIVE_DOUBLE);
    case 2: return H5Tcopy(H5T_NATIVE_INT32);
    case 3: return H5Tcopy(H5T_NATIVE_INT64);
    case 4: return H5Tcopy(H5T_NATIVE_UINT8);
    default: {
      hid_t text = H5Tcopy(H5T_C_S1);
      H5Tset_size(text, 1 + r.byte() % 16);
      return text;
    }
  }
}

/// Fills `count` elements of `type` from the recipe.
std::vector<std::uint8_t> values(Recipe& r, hid_t type, hsize_t count) {
  std::vector<std::uint8_t> bytes(H5Tget_size(type) * count);
  for (auto& b : bytes) b = r.byte();
  return bytes;
}

void rewrite_attribute(hid_t file, Recipe& r) {
  const auto& [object_path, name] = r.pick(attributes);
  hid_t object = H5Oopen(file, object_path.c_str(), H5P_DEFAULT);
  if (object < 0) return;
  H5Adelete(object, name.c_str());
  hid_t type = pick_type(r);
  const hsize_t count = r.byte() % 4;
  hid_t space = count == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr);
  hid_t attribute = H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  const auto bytes = values(r, type, count == 0 ? 1 : count);
  if (attribute >= 0) {
    H5Awrite(attribute, type, bytes.data());
    H5Aclose(attribute);
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Oclose(object);
}

/// Replaces a dataset by one of another rank, shape and type, filled from the
/// recipe (or, when `truncate`, by the same one with fewer samples).
void replace_dataset(hid_t file, Recipe& r, bool truncate) {
  const std::string path = r.pick(datasets);
  hid_t old = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (old < 0) return;
  hid_t old_space = H5Dget_space(old);
  int rank = H5Sget_simple_extent_ndims(old_space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 1)), 1);
  if (rank > 0) H5Sget_simple_extent_dims(old_space, dims.data(), nullptr);
  hid_t type = truncate ? H5Dget_type(old) : pick_type(r);
  H5Sclose(old_space);
  H5Dclose(old);
  if (truncate) {
    if (rank == 0 || dims[0] == 0) {
      H5Tclose(type);
      return;
    }
    dims[0] = r.byte() % dims[0];
  } else {
    rank = 1 + r.byte() % 6;
    dims.assign(static_cast<std::size_t>(rank), 0);
    for (auto& d : dims) d = r.byte() % 7;
  }
  H5Ldelete(file, path.c_str(), H5P_DEFAULT);
  hid_t space = H5Screate_simple(rank, dims.data(), nullptr);
  hid_t dataset = H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t count = 1;
  for (const auto d : dims) count *= d;
  if (dataset >= 0) {
    // Some data stay unwritten (read as the fill value), as in a file cut short.
    if (count > 0 && r.byte() % 2 == 0 && H5Tget_class(type) != H5T_STRING) {
      const auto bytes = values(r, type, count);
      H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    }
    H5Dclose(dataset);
  }
  H5Sclose(space);
  H5Tclose(type);
}

void edit(const std::string& path, Recipe& r) {
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) std::abort();  // the template must open
  for (int edits = 0; r.more() && edits < 8; ++edits) {
    switch (r.byte() % 5) {
      case 0: H5Ldelete(file, r.pick(r.byte() % 2 ? datasets : groups).c_str(), H5P_DEFAULT); break;
      case 1: {
        const auto& [object, name] = r.pick(attributes);
        H5Adelete_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT);
        break;
      }
      case 2: rewrite_attribute(file, r); break;
      case 3: replace_dataset(file, r, false); break;
      default: replace_dataset(file, r, true); break;
    }
  }
  H5Fclose(file);
}

/// What opforge does with a dataset: `info`, training and evaluation reads.
void read_like_opforge(const std::string& path, bool allow_incomplete) {
  opforge::io::ReaderOptions options;
  options.allow_incomplete = allow_incomplete;
  const opforge::io::DatasetReader reader(path, options);
  const auto& layout = reader.layout();
  (void)reader.attributes();
  (void)reader.config_yaml();
  const auto written = reader.written_mask();
  std::vector<double> in(static_cast<std::size_t>(layout.input_sample_size()));
  std::vector<float> out(static_cast<std::size_t>(layout.output_sample_size()));
  for (std::size_t i = 0; i < written.size(); ++i) {
    if (!written[i]) continue;
    reader.read_inputs({static_cast<std::int64_t>(i)}, in.data());
    reader.read_outputs({static_cast<std::int64_t>(i)}, out.data());
  }
  for (const auto& field : layout.meta) (void)reader.read_meta(field.name);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* from = std::getenv("OPFORGE_FUZZ_TEMPLATE");
  if (!from) {
    std::cerr << "dataset fuzz: set OPFORGE_FUZZ_TEMPLATE to a valid opforge dataset\n";
    std::abort();
  }
  template_path = from;
  work_path = "dataset_fuzz_" + std::to_string(::getpid()) + ".h5";
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t file = H5Fopen(template_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) std::abort();
  H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect_object, nullptr);
  H5Fclose(file);
  if (datasets.empty() || groups.empty() || attributes.empty()) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::filesystem::copy_file(template_path, work_path, std::filesystem::copy_options::overwrite_existing);
  Recipe recipe{data, size};
  const bool allow_incomplete = recipe.byte() % 2;
  edit(work_path, recipe);
  try {
    read_like_opforge(work_path, allow_incomplete);
  } catch (const opforge::Error&) {
    // A clean, reported error: the expected outcome for a damaged file.
  } catch (const std::exception& e) {
    std::cerr << "dataset fuzz: escaped exception: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
