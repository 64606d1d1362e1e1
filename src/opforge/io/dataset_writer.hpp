#pragma once
/// @file
/// Parallel writer of the opforge dataset format.

#include <cstdint>
#include <memory>
#include <string>

#include "opforge/io/dataset_format.hpp"

namespace opforge {
class Communicator;
}

namespace opforge::io {

/// Writes one dataset from all ranks of a communicator. The file lives under
/// `path + ".partial"` until finish() has checked that every sample was
/// written, set the `complete` attribute and closed it; only then is it
/// renamed to `path`. A run that dies leaves only the .partial file.
///
/// Collective: constructor, finish(). Independent: write_sample() — each
/// rank writes the samples it owns, in any order, by global index.
class DatasetWriter {
public:
  DatasetWriter(const Communicator& comm, const std::string& path, const DatasetLayout& layout,
                const Provenance& provenance);
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;
  ~DatasetWriter();

  /// Write sample `index`: `input` holds input_sample_size() values and
  /// `output` output_sample_size() values, C-ordered; `meta` gives a value
  /// for every declared metadata field.
  void write_sample(std::int64_t index, const double* input, const double* output, const MetaValues& meta);
  void write_sample(std::int64_t index, const float* input, const float* output, const MetaValues& meta);

  /// Collective: verify completeness, mark complete, close, rename. Throws
  /// IoError on every rank (same message) when samples are missing.
  void finish();

  const DatasetLayout& layout() const;
  const std::string& path() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// CRC-32 (zlib polynomial) of a byte range; the format's sample checksum.
std::uint32_t crc32_of(const void* data, std::size_t bytes);

}  // namespace opforge::io
