#include "opforge/io/dataset_format.hpp"

#include <set>

#include "opforge/core/error.hpp"
#include "opforge/core/text.hpp"

namespace opforge::io {

const char* to_string(ValueType type) { return type == ValueType::float32 ? "float32" : "float64"; }

const char* to_string(MetaType type) {
  switch (type) {
    case MetaType::int32: return "int32";
    case MetaType::int64: return "int64";
    case MetaType::uint8: return "uint8";
    case MetaType::float64: return "float64";
  }
  return "?";
}

std::size_t size_of(ValueType type) { return type == ValueType::float32 ? 4 : 8; }

std::vector<std::int64_t> DatasetLayout::input_sample_shape() const {
  std::vector<std::int64_t> shape{static_cast<std::int64_t>(input_channels.size())};
  shape.insert(shape.end(), spatial_shape.begin(), spatial_shape.end());
  return shape;
}

std::vector<std::int64_t> DatasetLayout::output_sample_shape() const {
  std::vector<std::int64_t> shape;
  if (time_steps > 0) shape.push_back(time_steps);
  shape.push_back(static_cast<std::int64_t>(output_channels.size()));
  shape.insert(shape.end(), spatial_shape.begin(), spatial_shape.end());
  return shape;
}

namespace {
std::int64_t product(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (auto extent : shape) n *= extent;
  return n;
}
std::string spatial_axes(std::size_t dims) {
  std::string axes;
  for (std::size_t a = 0; a < dims; ++a) axes += std::string(",") + names::axis_names[a];
  return axes;
}
}  // namespace

std::int64_t DatasetLayout::input_sample_size() const { return product(input_sample_shape()); }
std::int64_t DatasetLayout::output_sample_size() const { return product(output_sample_shape()); }
std::string DatasetLayout::input_axes() const { return "N,C" + spatial_axes(spatial_shape.size()); }
std::string DatasetLayout::output_axes() const {
  return std::string(time_steps > 0 ? "N,T,C" : "N,C") + spatial_axes(spatial_shape.size());
}

const MetaField* DatasetLayout::find_meta(const std::string& name) const {
  for (const auto& field : meta)
    if (field.name == name) return &field;
  return nullptr;
}

void DatasetLayout::validate() const {
  OPFORGE_CHECK(num_samples > 0, UsageError, "dataset layout: num_samples must be positive, got ", num_samples);
  OPFORGE_CHECK(!input_channels.empty() && !output_channels.empty(), UsageError,
                "dataset layout: at least one input and one output channel are needed");
  OPFORGE_CHECK(!spatial_shape.empty() && spatial_shape.size() <= 3, UsageError,
                "dataset layout: 1 to 3 spatial axes are supported, got ", spatial_shape.size());
  for (auto extent : spatial_shape)
    OPFORGE_CHECK(extent > 0, UsageError, "dataset layout: grid extents must be positive, got ", extent);
  OPFORGE_CHECK(time_steps >= 0, UsageError, "dataset layout: time_steps must be >= 0");
  OPFORGE_CHECK(coordinates.size() == spatial_shape.size(), UsageError, "dataset layout: ", coordinates.size(),
                " coordinate arrays for ", spatial_shape.size(), " spatial axes");
  for (std::size_t a = 0; a < coordinates.size(); ++a)
    OPFORGE_CHECK(static_cast<std::int64_t>(coordinates[a].size()) == spatial_shape[a], UsageError,
                  "dataset layout: axis ", names::axis_names[a], " has ", spatial_shape[a], " points but ",
                  coordinates[a].size(), " coordinates");
  OPFORGE_CHECK(static_cast<std::int64_t>(times.size()) == time_steps, UsageError, "dataset layout: ",
                times.size(), " times for ", time_steps, " time steps");
  std::set<std::string> meta_names;
  for (const auto& field : meta) {
    OPFORGE_CHECK(!field.name.empty() && field.name.find('/') == std::string::npos, UsageError,
                  "dataset layout: invalid metadata name '", field.name, "'");
    OPFORGE_CHECK(meta_names.insert(field.name).second, UsageError, "dataset layout: metadata '", field.name,
                  "' declared twice");
  }
}

std::vector<double> linspace(double lo, double hi, std::int64_t n) {
  std::vector<double> points(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) points[i] = n == 1 ? lo : lo + (hi - lo) * double(i) / double(n - 1);
  return points;
}

}  // namespace opforge::io
