#pragma once
/// @file
/// Reader of the opforge dataset format. Each process opens the file on its
/// own (no collective calls), so any rank can read any subset of samples.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "opforge/io/dataset_format.hpp"

namespace opforge::io {

struct ReaderOptions {
  /// Open a file whose `complete` flag is not set (e.g. to inspect progress);
  /// samples that were never written still cannot be read.
  bool allow_incomplete = false;
  /// Check each sample's stored CRC-32 when reading it.
  bool verify_checksums = true;
};

class DatasetReader {
public:
  explicit DatasetReader(const std::string& path, ReaderOptions options = {});
  DatasetReader(const DatasetReader&) = delete;
  DatasetReader& operator=(const DatasetReader&) = delete;
  DatasetReader(DatasetReader&&) noexcept;
  DatasetReader& operator=(DatasetReader&&) noexcept;
  ~DatasetReader();

  const std::string& path() const;
  const DatasetLayout& layout() const;
  bool complete() const;
  /// 1 for each sample that was fully written.
  std::vector<std::uint8_t> written_mask() const;
  std::int64_t written_count() const;

  /// Root attributes as text, in name order.
  std::vector<std::pair<std::string, std::string>> attributes() const;
  /// The resolved configuration the dataset was generated with.
  std::string config_yaml() const;

  /// Read samples `indices` of /input into `out` (indices.size() *
  /// input_sample_size() values, in the order given).
  void read_inputs(const std::vector<std::int64_t>& indices, float* out) const;
  void read_inputs(const std::vector<std::int64_t>& indices, double* out) const;
  void read_outputs(const std::vector<std::int64_t>& indices, float* out) const;
  void read_outputs(const std::vector<std::int64_t>& indices, double* out) const;

  /// A whole per-sample metadata array, converted to double.
  std::vector<double> read_meta(const std::string& name) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opforge::io
