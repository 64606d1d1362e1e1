#pragma once
/// @file
/// What `opforge info` shows about a dataset: shapes, types, provenance,
/// completeness and summary statistics.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "opforge/io/dataset_reader.hpp"

namespace opforge::io {

struct FieldStatistics {
  std::string name;
  std::int64_t count = 0;
  double min = 0, max = 0, mean = 0, std = 0;
  std::int64_t non_finite = 0;
};

struct DatasetSummary {
  std::string path;
  DatasetLayout layout;
  bool complete = false;
  std::int64_t written = 0;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string config_yaml;
  std::int64_t samples_used = 0;  // samples the statistics cover
  std::vector<FieldStatistics> inputs, outputs, meta;
};

/// Statistics over the first `max_samples` written samples (all when < 0).
DatasetSummary summarize(const DatasetReader& reader, std::int64_t max_samples = -1);
void print_summary(std::ostream& out, const DatasetSummary& summary, bool show_config);

}  // namespace opforge::io
