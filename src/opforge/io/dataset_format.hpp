#pragma once
/// @file
/// The opforge dataset format (docs/dataset-format.md): one HDF5 file per
/// dataset, sample-major /input [N, C_in, spatial...] and /output
/// [N, (T,) C_out, spatial...], grid coordinates, per-sample metadata and
/// checksums, a written mask, and provenance.

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace opforge::io {

inline constexpr const char* dataset_format_name = "opforge-dataset";
inline constexpr std::int64_t dataset_format_version = 1;

/// Element type of /input and /output as stored in the file.
enum class ValueType { float32, float64 };
/// Element type of a per-sample metadata array.
enum class MetaType { int32, int64, uint8, float64 };

const char* to_string(ValueType type);
const char* to_string(MetaType type);
std::size_t size_of(ValueType type);

struct MetaField {
  std::string name;
  MetaType type = MetaType::float64;
  std::string description;
};

/// The shape of a dataset: what a writer creates and a reader validates.
struct DatasetLayout {
  std::int64_t num_samples = 0;
  /// Names of the input / output channels (C_in, C_out entries).
  std::vector<std::string> input_channels;
  std::vector<std::string> output_channels;
  /// Grid points per spatial axis (1 to 3 axes: x, y, z).
  std::vector<std::int64_t> spatial_shape;
  /// Output frames per sample (0: no time axis in /output).
  std::int64_t time_steps = 0;
  ValueType value_type = ValueType::float32;
  /// Coordinates of the grid points, one array per spatial axis.
  std::vector<std::vector<double>> coordinates;
  /// Times of the output frames (length time_steps, when time_steps > 0).
  std::vector<double> times;
  /// Per-sample metadata arrays stored under /meta.
  std::vector<MetaField> meta;

  /// Shape of one sample of /input: [C_in, spatial...].
  std::vector<std::int64_t> input_sample_shape() const;
  /// Shape of one sample of /output: [(T,) C_out, spatial...].
  std::vector<std::int64_t> output_sample_shape() const;
  std::int64_t input_sample_size() const;
  std::int64_t output_sample_size() const;
  /// Axis labels of /input and /output, e.g. "N,C,x,y" / "N,T,C,x,y,z".
  std::string input_axes() const;
  std::string output_axes() const;
  const MetaField* find_meta(const std::string& name) const;

  /// Throws UsageError when the layout is inconsistent (sizes, names).
  void validate() const;
};

/// Metadata values for one sample; converted to each field's MetaType.
using MetaValue = std::variant<std::int64_t, double>;
using MetaValues = std::map<std::string, MetaValue>;

/// What a dataset records about how it was made. `attributes` become root
/// attributes (small strings); `config_yaml` goes to /provenance/config_yaml.
struct Provenance {
  std::map<std::string, std::string> attributes;
  std::string config_yaml;
};

/// Evenly spaced coordinates: n points from lo to hi inclusive.
std::vector<double> linspace(double lo, double hi, std::int64_t n);

/// Names of the HDF5 objects of the format.
namespace names {
inline constexpr const char* input = "/input";
inline constexpr const char* output = "/output";
inline constexpr const char* grid = "/grid";
inline constexpr const char* meta = "/meta";
inline constexpr const char* checksum = "/checksum";
inline constexpr const char* input_checksum = "/checksum/input";
inline constexpr const char* output_checksum = "/checksum/output";
inline constexpr const char* written = "/written";
inline constexpr const char* provenance = "/provenance";
inline constexpr const char* config_yaml = "/provenance/config_yaml";
inline constexpr const char* axis_names[3] = {"x", "y", "z"};
}  // namespace names

/// Suffix of the file while it is being written.
inline constexpr const char* partial_suffix = ".partial";

}  // namespace opforge::io
