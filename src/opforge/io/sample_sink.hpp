#pragma once
/// @file
/// Where a generator puts each sample it makes: the dataset file
/// (DatasetWriter), the online-training stream (stream::StreamSender), or
/// both (TeeSink). Generators write to a SampleSink and do not know which.

#include <cstdint>

#include "opforge/io/dataset_format.hpp"

namespace opforge::io {

class SampleSink {
public:
  virtual ~SampleSink() = default;
  /// Called once with the dataset's layout before the first sample.
  virtual void begin(const DatasetLayout& layout) { (void)layout; }
  /// Sample `index`: `input` and `output` hold a whole sample of the
  /// dataset's layout (C-ordered, float64 as solved); `meta` one value per
  /// declared metadata field.
  virtual void write_sample(std::int64_t index, const double* input, const double* output, const MetaValues& meta) = 0;
};

/// Writes every sample to `first`, then to `second` (when not null).
class TeeSink final : public SampleSink {
public:
  TeeSink(SampleSink& first, SampleSink* second) : first_(first), second_(second) {}
  void begin(const DatasetLayout& layout) override {
    first_.begin(layout);
    if (second_) second_->begin(layout);
  }
  void write_sample(std::int64_t index, const double* input, const double* output, const MetaValues& meta) override {
    first_.write_sample(index, input, output, meta);
    if (second_) second_->write_sample(index, input, output, meta);
  }

private:
  SampleSink& first_;
  SampleSink* second_;
};

}  // namespace opforge::io
