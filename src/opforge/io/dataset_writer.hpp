#pragma once
/// @file
/// Parallel writer of the opforge dataset format.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "opforge/io/dataset_format.hpp"
#include "opforge/io/sample_sink.hpp"

namespace opforge {
class Communicator;
}

namespace opforge::io {

/// Continuing an interrupted write (see DatasetWriter).
struct ResumeOptions {
  bool enabled = false;
  /// Root attributes (of Provenance::attributes) that must be equal in the
  /// .partial file for its samples to be kept: what determines the samples'
  /// content (e.g. the PDE and the seed).
  std::vector<std::string> identity;
};

/// Writes one dataset from all ranks of a communicator. The file lives under
/// `path + ".partial"` until finish() has checked that every sample was
/// written, set the `complete` attribute and closed it; only then is it
/// renamed to `path`. A run that dies leaves only the .partial file.
///
/// With `resume.enabled` and a `.partial` file of the same layout and
/// identity attributes, that file is reopened instead: every sample marked
/// written whose checksums verify is kept (kept()), the others are written
/// again. A .partial that cannot be opened is replaced (nothing in it could
/// be verified); one of another layout or identity is an IoError, so a
/// changed config never silently mixes samples. The file structure is
/// flushed right after creation, so a job killed at any later point leaves a
/// .partial that can be resumed.
///
/// Collective: constructor, finish(). Independent: write_sample() — each
/// rank writes the samples it owns, in any order, by global index.
class DatasetWriter final : public SampleSink {
public:
  DatasetWriter(const Communicator& comm, const std::string& path, const DatasetLayout& layout,
                const Provenance& provenance, const ResumeOptions& resume = {});
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;
  ~DatasetWriter() override;

  /// Write sample `index`: `input` holds input_sample_size() values and
  /// `output` output_sample_size() values, C-ordered; `meta` gives a value
  /// for every declared metadata field.
  void write_sample(std::int64_t index, const double* input, const double* output, const MetaValues& meta) override;
  void write_sample(std::int64_t index, const float* input, const float* output, const MetaValues& meta);

  /// Reads sample `index` back as stored (e.g. a sample kept from an
  /// interrupted run, streamed again). Independent.
  void read_sample(std::int64_t index, double* input, double* output) const;

  /// Collective: verify completeness, mark complete, close, rename. Throws
  /// IoError on every rank (same message) when samples are missing.
  void finish();
  /// Collective: close the file as it is, under its `.partial` name, without
  /// the `complete` mark, so that the next run with resume enabled continues
  /// it (pre-emption). Returns the number of samples written so far.
  std::int64_t suspend();

  /// 1 for each sample kept from an interrupted run (identical on all ranks).
  const std::vector<std::uint8_t>& kept() const;
  std::int64_t kept_count() const;
  /// Why a .partial file was not resumed ("" when it was, or there was none).
  const std::string& resume_note() const;

  const DatasetLayout& layout() const;
  const std::string& path() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// CRC-32 (zlib polynomial) of a byte range; the format's sample checksum.
std::uint32_t crc32_of(const void* data, std::size_t bytes);

}  // namespace opforge::io
