#pragma once
// Deterministic test samples: every value depends only on (sample, channel,
// point), so files written at any rank count must hold identical bytes.

#include <cstdint>
#include <vector>

#include "opforge/io/dataset_format.hpp"

namespace opforge::test_support {

/// 2-D layout: 2 input channels, 1 output channel, nx x ny grid, meta fields
/// seed (int64), iterations (int32), residual (float64), converged (uint8).
io::DatasetLayout small_layout(std::int64_t samples, std::int64_t nx, std::int64_t ny,
                               io::ValueType type = io::ValueType::float32);
std::vector<double> sample_input(const io::DatasetLayout& layout, std::int64_t index);
std::vector<double> sample_output(const io::DatasetLayout& layout, std::int64_t index);
io::MetaValues sample_meta(std::int64_t index);

}  // namespace opforge::test_support
