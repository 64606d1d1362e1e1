#include "opforge/io/dataset_reader.hpp"

#include <filesystem>

#include "opforge/core/text.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/io/hdf5.hpp"

namespace opforge::io {
namespace {

using h5::dims_of;

/// A one-dimensional dataset `name` (anything else is refused: it would not fit).
template <typename T> std::vector<T> read_vector(hid_t dataset, hid_t memory_type, const std::string& name) {
  const std::vector<hsize_t> dims = dims_of(dataset);
  OPFORGE_CHECK(dims.size() == 1, IoError, name, " must be one-dimensional, has ", dims.size(), " axes");
  std::vector<T> values(dims[0]);
  if (!values.empty())
    OPFORGE_H5_CALL(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
  return values;
}

}  // namespace

struct DatasetReader::Impl {
  std::string path;
  ReaderOptions options;
  DatasetLayout layout;
  bool complete = false;
  h5::Id file, input, output;
  std::vector<std::uint8_t> written;
  std::vector<std::uint32_t> input_crc, output_crc;

  [[noreturn]] void fail(const std::string& message) const {
    OPFORGE_THROW(IoError, "dataset '", path, "': ", message);
  }
  /// Runs `read`; an IoError of the HDF5 helpers, which name the object but
  /// not the file, is raised again naming the file.
  template <typename Read> auto naming_the_file(Read&& read) const {
    try {
      return read();
    } catch (const IoError& e) {
      if (std::string(e.what()).rfind("dataset '" + path + "'", 0) == 0) throw;
      fail(e.what());
    }
  }
  h5::Id open_dataset(const std::string& name) const {
    if (!h5::link_exists(file, name)) fail("missing " + name + " (not an opforge dataset of a known layout)");
    return h5::Id(OPFORGE_H5_CALL(H5Dopen2(file, name.c_str(), H5P_DEFAULT)), H5Dclose);
  }
  void read_layout();
  template <typename Target>
  void read(hid_t dataset, const std::vector<std::uint32_t>& crcs, std::int64_t sample_size,
            const std::vector<std::int64_t>& indices, Target* out, const char* what) const;
};

void DatasetReader::Impl::read_layout() {
  input = open_dataset(names::input);
  output = open_dataset(names::output);
  const std::vector<hsize_t> in_dims = dims_of(input), out_dims = dims_of(output);
  if (in_dims.size() < 3 || in_dims.size() > 5)
    fail("/input must have shape [N, C, spatial...] with 1-3 spatial axes, has " + std::to_string(in_dims.size()) +
         " axes");
  const std::size_t spatial = in_dims.size() - 2;
  const bool has_time = h5::has_attribute(output, "axes") &&
                        h5::read_string_attribute(output, "axes").rfind("N,T,", 0) == 0;
  if (out_dims.size() != in_dims.size() + (has_time ? 1 : 0))
    fail("/output has " + std::to_string(out_dims.size()) + " axes, /input " + std::to_string(in_dims.size()));
  if (out_dims[0] != in_dims[0])
    fail("/input has " + std::to_string(in_dims[0]) + " samples but /output " + std::to_string(out_dims[0]));
  for (std::size_t a = 0; a < spatial; ++a)
    if (out_dims[out_dims.size() - spatial + a] != in_dims[2 + a]) fail("/input and /output grids differ");

  h5::Id in_type(OPFORGE_H5_CALL(H5Dget_type(input)), H5Tclose);
  h5::Id out_type(OPFORGE_H5_CALL(H5Dget_type(output)), H5Tclose);
  if (H5Tget_class(in_type) != H5T_FLOAT || H5Tget_class(out_type) != H5T_FLOAT)
    fail("/input and /output must hold floating-point values");
  if (H5Tget_size(in_type) != H5Tget_size(out_type)) fail("/input and /output have different value types");
  layout.value_type = H5Tget_size(in_type) == 4 ? ValueType::float32 : ValueType::float64;

  layout.num_samples = static_cast<std::int64_t>(in_dims[0]);
  layout.time_steps = has_time ? static_cast<std::int64_t>(out_dims[1]) : 0;
  for (std::size_t a = 0; a < spatial; ++a) layout.spatial_shape.push_back(static_cast<std::int64_t>(in_dims[2 + a]));
  auto channels = [&](hid_t dataset, hsize_t count, const char* name) {
    std::vector<std::string> names_out;
    if (h5::has_attribute(dataset, "channels")) names_out = split(h5::read_string_attribute(dataset, "channels"), ',');
    if (names_out.size() != count) {
      names_out.clear();
      for (hsize_t c = 0; c < count; ++c) names_out.push_back(std::string(name) + std::to_string(c));
    }
    return names_out;
  };
  layout.input_channels = channels(input, in_dims[1], "input");
  layout.output_channels = channels(output, out_dims[has_time ? 2 : 1], "output");

  for (std::size_t a = 0; a < spatial; ++a) {
    const std::string name = std::string(names::grid) + "/" + names::axis_names[a];
    h5::Id dataset = open_dataset(name);
    layout.coordinates.push_back(read_vector<double>(dataset, H5T_NATIVE_DOUBLE, name));
    if (static_cast<std::int64_t>(layout.coordinates.back().size()) != layout.spatial_shape[a])
      fail(name + " has " + std::to_string(layout.coordinates.back().size()) + " points, the grid " +
           std::to_string(layout.spatial_shape[a]));
  }
  if (has_time) {
    h5::Id dataset = open_dataset(std::string(names::grid) + "/t");
    layout.times = read_vector<double>(dataset, H5T_NATIVE_DOUBLE, std::string(names::grid) + "/t");
  }

  if (h5::link_exists(file, names::meta)) {
    h5::Id group(OPFORGE_H5_CALL(H5Gopen2(file, names::meta, H5P_DEFAULT)), H5Gclose);
    hsize_t count = 0;
    H5G_info_t info;
    OPFORGE_H5_CALL(H5Gget_info(group, &info));
    count = info.nlinks;
    for (hsize_t i = 0; i < count; ++i) {
      const ssize_t length = OPFORGE_H5_CALL(
          H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT));
      std::string name(static_cast<std::size_t>(length) + 1, '\0');
      H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
      name.resize(static_cast<std::size_t>(length));
      h5::Id dataset = open_dataset(std::string(names::meta) + "/" + name);
      h5::Id type(OPFORGE_H5_CALL(H5Dget_type(dataset)), H5Tclose);
      MetaField field{name, MetaType::float64, ""};
      if (H5Tget_class(type) == H5T_INTEGER) {
        const std::size_t size = H5Tget_size(type);
        field.type = size == 1 ? MetaType::uint8 : size == 4 ? MetaType::int32 : MetaType::int64;
      }
      if (h5::has_attribute(dataset, "description"))
        field.description = h5::read_string_attribute(dataset, "description");
      layout.meta.push_back(field);
    }
  }

  h5::Id written_dataset = open_dataset(names::written);
  written = read_vector<std::uint8_t>(written_dataset, H5T_NATIVE_UINT8, names::written);
  h5::Id in_crc = open_dataset(names::input_checksum), out_crc = open_dataset(names::output_checksum);
  input_crc = read_vector<std::uint32_t>(in_crc, H5T_NATIVE_UINT32, names::input_checksum);
  output_crc = read_vector<std::uint32_t>(out_crc, H5T_NATIVE_UINT32, names::output_checksum);
  const auto n = static_cast<std::size_t>(layout.num_samples);
  if (written.size() != n || input_crc.size() != n || output_crc.size() != n)
    fail("/written and /checksum must have one entry per sample");
}

DatasetReader::DatasetReader(const std::string& path, ReaderOptions options) : impl_(std::make_unique<Impl>()) {
  h5::silence_error_stack();
  Impl& s = *impl_;
  s.path = path;
  s.options = options;
  if (!std::filesystem::exists(path)) {
    std::string hint;
    if (std::filesystem::exists(path + partial_suffix))
      hint = " (but '" + path + partial_suffix + "' exists: the run that generates it has not finished)";
    OPFORGE_THROW(IoError, "dataset '", path, "' does not exist", hint);
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) s.fail("cannot open as HDF5 (truncated or not an HDF5 file): " + h5::error_stack_text());
  s.file = h5::Id(file, H5Fclose);
  s.naming_the_file([&] {
    if (!h5::has_attribute(s.file, "format") || h5::read_string_attribute(s.file, "format") != dataset_format_name)
      s.fail(std::string("not an opforge dataset (root attribute 'format' is not '") + dataset_format_name + "')");
    const std::int64_t version = h5::read_int_attribute(s.file, "format_version");
    if (version > dataset_format_version)
      s.fail("format version " + std::to_string(version) + " is newer than this opforge reads (" +
             std::to_string(dataset_format_version) + ")");
    s.complete = h5::has_attribute(s.file, "complete") && h5::read_int_attribute(s.file, "complete") == 1;
    s.read_layout();
  });
  if (!s.complete && !options.allow_incomplete)
    s.fail("incomplete: " + std::to_string(written_count()) + " of " + std::to_string(s.layout.num_samples) +
           " samples written and the 'complete' flag is not set (the run that wrote it did not finish)");
}

DatasetReader::DatasetReader(DatasetReader&&) noexcept = default;
DatasetReader& DatasetReader::operator=(DatasetReader&&) noexcept = default;
DatasetReader::~DatasetReader() = default;

const std::string& DatasetReader::path() const { return impl_->path; }
const DatasetLayout& DatasetReader::layout() const { return impl_->layout; }
bool DatasetReader::complete() const { return impl_->complete; }
std::vector<std::uint8_t> DatasetReader::written_mask() const { return impl_->written; }

std::int64_t DatasetReader::written_count() const {
  std::int64_t count = 0;
  for (auto flag : impl_->written) count += flag ? 1 : 0;
  return count;
}

std::vector<std::pair<std::string, std::string>> DatasetReader::attributes() const {
  return h5::read_attributes_as_text(impl_->file);
}

std::string DatasetReader::config_yaml() const {
  if (!h5::link_exists(impl_->file, names::config_yaml)) return {};
  return impl_->naming_the_file([&] { return h5::read_string_dataset(impl_->file, names::config_yaml); });
}

template <typename Target>
void DatasetReader::Impl::read(hid_t dataset, const std::vector<std::uint32_t>& crcs, std::int64_t sample_size,
                               const std::vector<std::int64_t>& indices, Target* out, const char* what) const {
  const h5::Id memory_space = h5::sample_memory_space(dataset);
  const std::size_t value_bytes = size_of(layout.value_type);
  std::vector<unsigned char> raw(static_cast<std::size_t>(sample_size) * value_bytes);
  const hid_t raw_type = layout.value_type == ValueType::float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::int64_t index = indices[k];
    if (index < 0 || index >= layout.num_samples)
      fail("sample index " + std::to_string(index) + " out of range [0, " + std::to_string(layout.num_samples) + ")");
    if (!written[static_cast<std::size_t>(index)]) fail("sample " + std::to_string(index) + " was never written");
    const h5::Id file_space = h5::select_sample(dataset, index);
    OPFORGE_H5_CALL(H5Dread(dataset, raw_type, memory_space, file_space, H5P_DEFAULT, raw.data()));
    if (options.verify_checksums && crc32_of(raw.data(), raw.size()) != crcs[static_cast<std::size_t>(index)])
      fail(std::string(what) + " of sample " + std::to_string(index) +
           " does not match its checksum (the file is corrupted)");
    Target* target = out + static_cast<std::size_t>(k) * static_cast<std::size_t>(sample_size);
    if (layout.value_type == ValueType::float32) {
      const auto* values = reinterpret_cast<const float*>(raw.data());
      for (std::int64_t i = 0; i < sample_size; ++i) target[i] = static_cast<Target>(values[i]);
    } else {
      const auto* values = reinterpret_cast<const double*>(raw.data());
      for (std::int64_t i = 0; i < sample_size; ++i) target[i] = static_cast<Target>(values[i]);
    }
  }
}

void DatasetReader::read_inputs(const std::vector<std::int64_t>& indices, float* out) const {
  impl_->read(impl_->input, impl_->input_crc, impl_->layout.input_sample_size(), indices, out, "/input");
}
void DatasetReader::read_inputs(const std::vector<std::int64_t>& indices, double* out) const {
  impl_->read(impl_->input, impl_->input_crc, impl_->layout.input_sample_size(), indices, out, "/input");
}
void DatasetReader::read_outputs(const std::vector<std::int64_t>& indices, float* out) const {
  impl_->read(impl_->output, impl_->output_crc, impl_->layout.output_sample_size(), indices, out, "/output");
}
void DatasetReader::read_outputs(const std::vector<std::int64_t>& indices, double* out) const {
  impl_->read(impl_->output, impl_->output_crc, impl_->layout.output_sample_size(), indices, out, "/output");
}

std::vector<double> DatasetReader::read_meta(const std::string& name) const {
  if (!impl_->layout.find_meta(name)) impl_->fail("no metadata array '" + name + "'");
  const std::string path = std::string(names::meta) + "/" + name;
  h5::Id dataset = impl_->open_dataset(path);
  const std::vector<double> values =
      impl_->naming_the_file([&] { return read_vector<double>(dataset, H5T_NATIVE_DOUBLE, path); });
  // Callers index it by sample.
  if (static_cast<std::int64_t>(values.size()) != impl_->layout.num_samples)
    impl_->fail(path + " has " + std::to_string(values.size()) + " entries for " +
                std::to_string(impl_->layout.num_samples) + " samples");
  return values;
}

}  // namespace opforge::io
