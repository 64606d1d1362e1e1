#include "opforge/io/dataset_writer.hpp"

#include <zlib.h>

#include <algorithm>
#include <sstream>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>

#include "opforge/core/file_commit.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/mpi_native.hpp"
#include "opforge/core/text.hpp"
#include "opforge/core/version.hpp"
#include "opforge/io/dataset_reader.hpp"
#include "opforge/io/hdf5.hpp"
#include "opforge/io/xdmf.hpp"

namespace opforge::io {

std::uint32_t crc32_of(const void* data, std::size_t bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* p = static_cast<const Bytef*>(data);
  while (bytes > 0) {  // zlib takes uInt lengths
    const uInt chunk = static_cast<uInt>(std::min<std::size_t>(bytes, 1u << 30));
    crc = crc32(crc, p, chunk);
    p += chunk;
    bytes -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

namespace {

hid_t file_type_of(ValueType type) { return type == ValueType::float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE; }

hid_t file_type_of(MetaType type) {
  switch (type) {
    case MetaType::int32: return H5T_STD_I32LE;
    case MetaType::int64: return H5T_STD_I64LE;
    case MetaType::uint8: return H5T_STD_U8LE;
    case MetaType::float64: return H5T_IEEE_F64LE;
  }
  return H5T_IEEE_F64LE;
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::vector<hsize_t> to_hsize(std::int64_t leading, const std::vector<std::int64_t>& rest) {
  std::vector<hsize_t> dims{static_cast<hsize_t>(leading)};
  for (auto extent : rest) dims.push_back(static_cast<hsize_t>(extent));
  return dims;
}

/// A chunked sample-major dataset [N, sample_shape...], one sample per chunk.
h5::Id create_sample_dataset(hid_t file, const char* name, hid_t type, std::int64_t samples,
                             const std::vector<std::int64_t>& sample_shape) {
  const std::vector<hsize_t> dims = to_hsize(samples, sample_shape);
  std::vector<hsize_t> chunk = dims;
  chunk[0] = 1;
  h5::Id space(OPFORGE_H5_CALL(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr)), H5Sclose);
  h5::Id properties(OPFORGE_H5_CALL(H5Pcreate(H5P_DATASET_CREATE)), H5Pclose);
  OPFORGE_H5_CALL(H5Pset_chunk(properties, static_cast<int>(chunk.size()), chunk.data()));
  OPFORGE_H5_CALL(H5Pset_alloc_time(properties, H5D_ALLOC_TIME_EARLY));
  OPFORGE_H5_CALL(H5Pset_fill_time(properties, H5D_FILL_TIME_NEVER));
  return h5::Id(OPFORGE_H5_CALL(H5Dcreate2(file, name, type, space, H5P_DEFAULT, properties, H5P_DEFAULT)),
                H5Dclose);
}

/// A contiguous 1-D dataset of length n (per-sample metadata, checksums, mask).
h5::Id create_vector_dataset(hid_t file, const std::string& name, hid_t type, std::int64_t n) {
  const hsize_t dims[1] = {static_cast<hsize_t>(n)};
  h5::Id space(OPFORGE_H5_CALL(H5Screate_simple(1, dims, nullptr)), H5Sclose);
  h5::Id properties(OPFORGE_H5_CALL(H5Pcreate(H5P_DATASET_CREATE)), H5Pclose);
  OPFORGE_H5_CALL(H5Pset_alloc_time(properties, H5D_ALLOC_TIME_EARLY));
  OPFORGE_H5_CALL(H5Pset_fill_time(properties, H5D_FILL_TIME_ALLOC));  // unwritten = 0
  return h5::Id(OPFORGE_H5_CALL(H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, properties, H5P_DEFAULT)),
                H5Dclose);
}

void write_coordinates(hid_t file, const std::string& name, const std::vector<double>& values) {
  const hsize_t dims[1] = {values.size()};
  h5::Id space(OPFORGE_H5_CALL(H5Screate_simple(1, dims, nullptr)), H5Sclose);
  h5::Id dataset(OPFORGE_H5_CALL(H5Dcreate2(file, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                            H5P_DEFAULT)),
                 H5Dclose);
  // Collective creation, but raw data written by one rank is enough: every
  // rank passes the same values and MPI-IO writes them once per caller.
  OPFORGE_H5_CALL(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
}

/// "" when a stored layout can take the samples of `wanted`, else what differs.
std::string layout_difference(const DatasetLayout& stored, const DatasetLayout& wanted) {
  auto list = [](const auto& values) {
    std::string out;
    for (const auto& v : values) {
      std::ostringstream one;
      one << v;
      out += (out.empty() ? "" : ",") + one.str();
    }
    return "[" + out + "]";
  };
  auto meta_names = [](const DatasetLayout& l) {
    std::vector<std::string> names;
    for (const auto& field : l.meta) names.push_back(field.name + ":" + to_string(field.type));
    std::sort(names.begin(), names.end());  // the file lists them by name
    return names;
  };
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> fields = {
      {"num_samples", {std::to_string(stored.num_samples), std::to_string(wanted.num_samples)}},
      {"input channels", {list(stored.input_channels), list(wanted.input_channels)}},
      {"output channels", {list(stored.output_channels), list(wanted.output_channels)}},
      {"grid", {list(stored.spatial_shape), list(wanted.spatial_shape)}},
      {"time steps", {std::to_string(stored.time_steps), std::to_string(wanted.time_steps)}},
      {"value type", {to_string(stored.value_type), to_string(wanted.value_type)}},
      {"metadata", {list(meta_names(stored)), list(meta_names(wanted))}}};
  for (const auto& [name, values] : fields)
    if (values.first != values.second) return name + " " + values.first + " (file) vs " + values.second + " (now)";
  return "";
}

h5::Id create_group(hid_t file, const char* name) {
  return h5::Id(OPFORGE_H5_CALL(H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
}

void write_one(hid_t dataset, std::int64_t index, hid_t memory_type, const void* data) {
  h5::Id file_space = h5::select_sample(dataset, index);
  h5::Id memory_space = h5::sample_memory_space(dataset);
  OPFORGE_H5_CALL(H5Dwrite(dataset, memory_type, memory_space, file_space, H5P_DEFAULT, data));
}

}  // namespace

struct DatasetWriter::Impl {
  explicit Impl(Communicator c) : comm(std::move(c)) {}
  Communicator comm;
  std::string path;
  std::string partial_path;
  DatasetLayout layout;
  h5::Id file;
  h5::Id input, output, input_checksum, output_checksum, written;
  std::map<std::string, h5::Id> meta;
  std::vector<std::uint8_t> written_here;  // samples this rank wrote (or kept)
  std::vector<std::uint8_t> kept;          // samples kept from an interrupted run
  std::string resume_note;
  bool finished = false;

  bool try_resume(const std::map<std::string, std::string>& attributes, const std::vector<std::string>& identity);

  void write_meta(std::int64_t index, const MetaValues& values);
  /// Collective close of every handle; the writer is finished afterwards.
  void close_all() {
    for (auto& [name, dataset] : meta) dataset.close(__FILE__, __LINE__);
    for (h5::Id* id : {&input, &output, &input_checksum, &output_checksum, &written}) id->close(__FILE__, __LINE__);
    file.close(__FILE__, __LINE__);
    finished = true;
  }
  template <typename Source> void write(std::int64_t index, const Source* in, const Source* out, const MetaValues& m);
};

DatasetWriter::DatasetWriter(const Communicator& comm, const std::string& path, const DatasetLayout& layout,
                             const Provenance& provenance, const ResumeOptions& resume)
    : impl_(std::make_unique<Impl>(comm.duplicate())) {
  h5::silence_error_stack();
  layout.validate();
  Impl& s = *impl_;
  s.path = path;
  s.partial_path = path + partial_suffix;
  s.layout = layout;
  s.written_here.assign(static_cast<std::size_t>(layout.num_samples), 0);
  s.kept = s.written_here;

  // Metadata calls are collective and must see identical arguments on every
  // rank: rank 0's clock and provenance are the ones recorded.
  std::string created = s.comm.broadcast(utc_now(), 0);
  std::string config_yaml = s.comm.broadcast(provenance.config_yaml, 0);
  std::map<std::string, std::string> attributes;
  for (const auto& [key, value] : provenance.attributes) attributes[key] = value;
  std::string flattened;
  for (const auto& [key, value] : attributes) flattened += key + '\0' + value + '\0';
  flattened = s.comm.broadcast(flattened, 0);

  // Create the parent directory (rank 0) and agree on success before the collective create.
  std::string failure;
  if (s.comm.rank() == 0) {
    std::error_code error;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, error);
    if (error) failure = "cannot create directory '" + parent.string() + "': " + error.message();
  }
  failure = s.comm.broadcast(failure, 0);
  OPFORGE_CHECK(failure.empty(), IoError, failure);
  if (resume.enabled && s.try_resume(attributes, resume.identity)) return;

  h5::Id access(OPFORGE_H5_CALL(H5Pcreate(H5P_FILE_ACCESS)), H5Pclose);
  OPFORGE_H5_CALL(H5Pset_fapl_mpio(access, native(s.comm), MPI_INFO_NULL));
  const hid_t file = H5Fcreate(s.partial_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access);
  OPFORGE_CHECK(file >= 0, IoError, "cannot create dataset file '", s.partial_path, "': ", h5::error_stack_text());
  s.file = h5::Id(file, H5Fclose);

  const hid_t value_type = file_type_of(layout.value_type);
  s.input = create_sample_dataset(s.file, names::input, value_type, layout.num_samples, layout.input_sample_shape());
  s.output = create_sample_dataset(s.file, names::output, value_type, layout.num_samples, layout.output_sample_shape());
  h5::write_string_attribute(s.input, "axes", layout.input_axes());
  h5::write_string_attribute(s.input, "channels", join(layout.input_channels, ","));
  h5::write_string_attribute(s.output, "axes", layout.output_axes());
  h5::write_string_attribute(s.output, "channels", join(layout.output_channels, ","));

  {
    h5::Id grid = create_group(s.file, names::grid);
    for (std::size_t a = 0; a < layout.coordinates.size(); ++a)
      write_coordinates(s.file, std::string(names::grid) + "/" + names::axis_names[a], layout.coordinates[a]);
    if (layout.time_steps > 0) write_coordinates(s.file, std::string(names::grid) + "/t", layout.times);
  }
  {
    h5::Id meta_group = create_group(s.file, names::meta);
    for (const auto& field : layout.meta) {
      h5::Id dataset = create_vector_dataset(s.file, std::string(names::meta) + "/" + field.name,
                                             file_type_of(field.type), layout.num_samples);
      if (!field.description.empty()) h5::write_string_attribute(dataset, "description", field.description);
      s.meta.emplace(field.name, std::move(dataset));
    }
  }
  {
    h5::Id checksum_group = create_group(s.file, names::checksum);
    s.input_checksum = create_vector_dataset(s.file, names::input_checksum, H5T_STD_U32LE, layout.num_samples);
    s.output_checksum = create_vector_dataset(s.file, names::output_checksum, H5T_STD_U32LE, layout.num_samples);
  }
  s.written = create_vector_dataset(s.file, names::written, H5T_STD_U8LE, layout.num_samples);
  {
    h5::Id provenance_group = create_group(s.file, names::provenance);
    h5::write_string_dataset(s.file, names::config_yaml, config_yaml);
  }

  h5::write_string_attribute(s.file, "format", dataset_format_name);
  h5::write_int_attribute(s.file, "format_version", dataset_format_version);
  h5::write_int_attribute(s.file, "num_samples", layout.num_samples);
  h5::write_string_attribute(s.file, "value_type", to_string(layout.value_type));
  h5::write_string_attribute(s.file, "opforge_version", version_string);
  h5::write_string_attribute(s.file, "git_commit", git_commit);
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  h5::write_string_attribute(s.file, "hdf5_version",
                             std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release));
  h5::write_string_attribute(s.file, "created_utc", created);
  h5::write_int_attribute(s.file, "num_ranks", s.comm.size());
  for (std::size_t at = 0; at < flattened.size();) {
    const std::string key = flattened.c_str() + at;
    at += key.size() + 1;
    const std::string value = flattened.c_str() + at;
    at += value.size() + 1;
    h5::write_string_attribute(s.file, key, value);
  }
  h5::write_int_attribute(s.file, "complete", 0);  // set to 1 by finish(), last
  // The structure on disk now: from here on a killed job leaves a resumable file.
  OPFORGE_H5_CALL(H5Fflush(s.file, H5F_SCOPE_GLOBAL));
}

bool DatasetWriter::Impl::try_resume(const std::map<std::string, std::string>& attributes,
                                     const std::vector<std::string>& identity) {
  // Rank 0 inspects the .partial file; every rank then acts on its verdict.
  enum Verdict : int { none, replace, refuse, resume };
  int verdict = none;
  std::string reason;
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(layout.num_samples), 0);
  if (comm.rank() == 0 && std::filesystem::exists(partial_path)) {
    try {
      DatasetReader reader(partial_path, {true, true});
      reason = layout_difference(reader.layout(), layout);
      std::map<std::string, std::string> stored;
      for (const auto& [key, value] : reader.attributes()) stored[key] = value;
      for (const auto& key : identity) {
        const std::string now = attributes.count(key) ? attributes.at(key) : "";
        if (reason.empty() && stored[key] != now) reason = key + " '" + stored[key] + "' (file) vs '" + now + "' (now)";
      }
      verdict = reason.empty() ? resume : refuse;
      if (verdict == resume) mask = reader.written_mask();
    } catch (const Error& e) {
      verdict = replace;
      reason = e.what();
    }
  }
  comm.broadcast(&verdict, 1, 0);
  reason = comm.broadcast(reason, 0);
  if (verdict == none) return false;
  if (verdict == replace) {
    resume_note = "'" + partial_path + "' could not be resumed and is replaced: " + reason;
    return false;
  }
  OPFORGE_CHECK(verdict == resume, IoError, "cannot resume '", partial_path, "': it was written with another ",
                reason, "; delete it (or set output.overwrite: true) to start over");
  comm.broadcast(mask, 0);

  // Keep only samples whose stored bytes match their checksums (rank r checks i = r mod P).
  std::vector<std::uint8_t> corrupt(mask.size(), 0);
  {
    DatasetReader reader(partial_path, {true, true});
    std::vector<double> in(static_cast<std::size_t>(layout.input_sample_size()));
    std::vector<double> out(static_cast<std::size_t>(layout.output_sample_size()));
    for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < mask.size(); i += static_cast<std::size_t>(comm.size())) {
      if (!mask[i]) continue;
      try {
        reader.read_inputs({static_cast<std::int64_t>(i)}, in.data());
        reader.read_outputs({static_cast<std::int64_t>(i)}, out.data());
      } catch (const Error&) {
        corrupt[i] = 1;
      }
    }
  }
  comm.allreduce(corrupt, ReduceOp::max);
  for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = mask[i] && !corrupt[i];

  h5::Id access(OPFORGE_H5_CALL(H5Pcreate(H5P_FILE_ACCESS)), H5Pclose);
  OPFORGE_H5_CALL(H5Pset_fapl_mpio(access, native(comm), MPI_INFO_NULL));
  const hid_t opened = H5Fopen(partial_path.c_str(), H5F_ACC_RDWR, access);
  OPFORGE_CHECK(opened >= 0, IoError, "cannot reopen '", partial_path, "' for writing: ", h5::error_stack_text());
  file = h5::Id(opened, H5Fclose);
  auto open = [&](const std::string& name) {
    return h5::Id(OPFORGE_H5_CALL(H5Dopen2(file, name.c_str(), H5P_DEFAULT)), H5Dclose);
  };
  input = open(names::input);
  output = open(names::output);
  input_checksum = open(names::input_checksum);
  output_checksum = open(names::output_checksum);
  written = open(names::written);
  for (const auto& field : layout.meta) meta.emplace(field.name, open(std::string(names::meta) + "/" + field.name));
  kept = mask;
  written_here = mask;
  return true;
}

DatasetWriter::~DatasetWriter() {
  if (!impl_ || impl_->finished) return;
  // Closing is collective. During unwinding other ranks may not be closing,
  // so leave the handles to HDF5's own shutdown (or the job abort) instead of
  // risking a hang; the .partial file stays marked incomplete either way.
  if (std::uncaught_exceptions() > 0) {
    for (auto& [name, dataset] : impl_->meta) dataset.leak();
    for (h5::Id* id : {&impl_->input, &impl_->output, &impl_->input_checksum, &impl_->output_checksum,
                       &impl_->written, &impl_->file})
      id->leak();
  }
}

const DatasetLayout& DatasetWriter::layout() const { return impl_->layout; }
const std::vector<std::uint8_t>& DatasetWriter::kept() const { return impl_->kept; }
std::int64_t DatasetWriter::kept_count() const {
  return std::count(impl_->kept.begin(), impl_->kept.end(), std::uint8_t{1});
}
const std::string& DatasetWriter::resume_note() const { return impl_->resume_note; }
const std::string& DatasetWriter::path() const { return impl_->path; }

void DatasetWriter::Impl::write_meta(std::int64_t index, const MetaValues& values) {
  for (const auto& field : layout.meta) {
    const auto it = values.find(field.name);
    OPFORGE_CHECK(it != values.end(), UsageError, "sample ", index, ": no value for metadata '", field.name, "'");
    const double as_double = std::visit([](auto v) { return static_cast<double>(v); }, it->second);
    const std::int64_t as_int =
        std::visit([](auto v) { return static_cast<std::int64_t>(v); }, it->second);
    hid_t dataset = meta.at(field.name);
    if (field.type == MetaType::float64) write_one(dataset, index, H5T_NATIVE_DOUBLE, &as_double);
    else write_one(dataset, index, H5T_NATIVE_INT64, &as_int);
  }
  for (const auto& [name, value] : values)
    OPFORGE_CHECK(layout.find_meta(name), UsageError, "sample ", index, ": metadata '", name, "' is not declared");
}

template <typename Source>
void DatasetWriter::Impl::write(std::int64_t index, const Source* in, const Source* out, const MetaValues& m) {
  OPFORGE_CHECK(!finished, UsageError, "write_sample after finish()");
  OPFORGE_CHECK(index >= 0 && index < layout.num_samples, UsageError, "sample index ", index,
                " out of range [0, ", layout.num_samples, ")");
  // Convert to the stored type first so the checksum covers the stored bytes.
  auto store = [&](hid_t dataset, hid_t checksum, const Source* values, std::int64_t count) {
    std::uint32_t crc;
    if (layout.value_type == ValueType::float32) {
      std::vector<float> stored(values, values + count);
      crc = crc32_of(stored.data(), stored.size() * sizeof(float));
      write_one(dataset, index, H5T_NATIVE_FLOAT, stored.data());
    } else {
      std::vector<double> stored(values, values + count);
      crc = crc32_of(stored.data(), stored.size() * sizeof(double));
      write_one(dataset, index, H5T_NATIVE_DOUBLE, stored.data());
    }
    write_one(checksum, index, H5T_NATIVE_UINT32, &crc);
  };
  store(input, input_checksum, in, layout.input_sample_size());
  store(output, output_checksum, out, layout.output_sample_size());
  write_meta(index, m);
  const std::uint8_t one = 1;  // last: the sample is complete
  write_one(written, index, H5T_NATIVE_UINT8, &one);
  written_here[static_cast<std::size_t>(index)] = 1;
}

void DatasetWriter::read_sample(std::int64_t index, double* input, double* output) const {
  const Impl& s = *impl_;
  OPFORGE_CHECK(index >= 0 && index < s.layout.num_samples, UsageError, "sample index ", index, " out of range [0, ",
                s.layout.num_samples, ")");
  for (auto [dataset, values] : {std::pair<hid_t, double*>{s.input.get(), input}, {s.output.get(), output}}) {
    h5::Id file_space = h5::select_sample(dataset, index);
    h5::Id memory_space = h5::sample_memory_space(dataset);
    OPFORGE_H5_CALL(H5Dread(dataset, H5T_NATIVE_DOUBLE, memory_space, file_space, H5P_DEFAULT, values));
  }
}

void DatasetWriter::write_sample(std::int64_t index, const double* input, const double* output,
                                 const MetaValues& meta) {
  impl_->write(index, input, output, meta);
}

void DatasetWriter::write_sample(std::int64_t index, const float* input, const float* output,
                                 const MetaValues& meta) {
  impl_->write(index, input, output, meta);
}

std::int64_t DatasetWriter::suspend() {
  Impl& s = *impl_;
  OPFORGE_CHECK(!s.finished, UsageError, "suspend() after finish() on ", s.path);
  std::vector<std::uint8_t> written = s.written_here;
  s.comm.allreduce(written, ReduceOp::max);
  s.close_all();
  if (s.comm.rank() == 0) sync_file(s.partial_path);  // what was written survives a node crash too
  return std::count(written.begin(), written.end(), std::uint8_t{1});
}

void DatasetWriter::finish() {
  Impl& s = *impl_;
  OPFORGE_CHECK(!s.finished, UsageError, "finish() called twice on ", s.path);
  std::vector<std::uint8_t> written = s.written_here;
  s.comm.allreduce(written, ReduceOp::max);
  std::int64_t count = 0, first_missing = -1;
  for (std::size_t i = 0; i < written.size(); ++i) {
    if (written[i]) ++count;
    else if (first_missing < 0) first_missing = static_cast<std::int64_t>(i);
  }
  const bool complete = count == s.layout.num_samples;
  // Every rank reached the same verdict, so the collective close is safe
  // either way; an incomplete file stays readable (and resumable) as .partial.
  if (complete) h5::write_int_attribute(s.file, "complete", 1);
  s.close_all();
  OPFORGE_CHECK(complete, IoError, "dataset '", s.partial_path, "' is incomplete: ", count, " of ",
                s.layout.num_samples, " samples written (first missing: ", first_missing, ")");

  std::string failure;
  if (s.comm.rank() == 0) {
    try {
      commit_file(s.partial_path, s.path);
    } catch (const Error& e) {
      failure = e.what();
    }
  }
  failure = s.comm.broadcast(failure, 0);
  OPFORGE_CHECK(failure.empty(), IoError, failure);
  // The sidecar is a convenience: the dataset is complete without it.
  if (s.comm.rank() == 0) {
    try {
      write_xdmf_sidecar(s.path, s.layout);
    } catch (const Error& e) {
      logger().warning(e.what());
    }
  }
}

}  // namespace opforge::io
