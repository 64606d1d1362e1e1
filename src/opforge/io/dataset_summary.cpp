#include "opforge/io/dataset_summary.hpp"

#include <cmath>
#include <iomanip>
#include <limits>

#include "opforge/core/text.hpp"

namespace opforge::io {
namespace {

/// Streaming mean/variance (Welford) with min, max and a non-finite count.
struct Accumulator {
  std::int64_t count = 0, non_finite = 0;
  double mean = 0, m2 = 0;
  double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();
  void add(double value) {
    if (!std::isfinite(value)) {
      ++non_finite;
      return;
    }
    ++count;
    const double delta = value - mean;
    mean += delta / double(count);
    m2 += delta * (value - mean);
    min = std::min(min, value);
    max = std::max(max, value);
  }
  FieldStatistics statistics(const std::string& name) const {
    FieldStatistics s{name, count, count ? min : NAN, count ? max : NAN, count ? mean : NAN,
                      count > 1 ? std::sqrt(m2 / double(count)) : 0.0, non_finite};
    return s;
  }
};

std::string shape_text(std::int64_t n, const std::vector<std::int64_t>& sample_shape) {
  std::vector<std::string> parts{std::to_string(n)};
  for (auto extent : sample_shape) parts.push_back(std::to_string(extent));
  return "[" + join(parts, ", ") + "]";
}

void print_statistics(std::ostream& out, const std::vector<FieldStatistics>& rows) {
  out << "    " << std::left << std::setw(20) << "name" << std::right << std::setw(13) << "min" << std::setw(13)
      << "max" << std::setw(13) << "mean" << std::setw(13) << "std" << "\n";
  for (const auto& row : rows) {
    out << "    " << std::left << std::setw(20) << row.name << std::right << std::setprecision(5);
    for (double v : {row.min, row.max, row.mean, row.std}) out << std::setw(13) << v;
    if (row.non_finite) out << "  (" << row.non_finite << " NaN/Inf values!)";
    out << "\n";
  }
}

}  // namespace

DatasetSummary summarize(const DatasetReader& reader, std::int64_t max_samples) {
  DatasetSummary summary;
  summary.path = reader.path();
  summary.layout = reader.layout();
  summary.complete = reader.complete();
  summary.written = reader.written_count();
  summary.attributes = reader.attributes();
  summary.config_yaml = reader.config_yaml();
  const DatasetLayout& layout = summary.layout;

  const std::vector<std::uint8_t> mask = reader.written_mask();
  std::vector<Accumulator> inputs(layout.input_channels.size()), outputs(layout.output_channels.size());
  const std::int64_t spatial_size = layout.input_sample_size() / static_cast<std::int64_t>(inputs.size());
  std::vector<double> input(static_cast<std::size_t>(layout.input_sample_size()));
  std::vector<double> output(static_cast<std::size_t>(layout.output_sample_size()));
  for (std::int64_t i = 0; i < layout.num_samples; ++i) {
    if (!mask[static_cast<std::size_t>(i)]) continue;
    if (max_samples >= 0 && summary.samples_used >= max_samples) break;
    reader.read_inputs({i}, input.data());
    reader.read_outputs({i}, output.data());
    for (std::size_t k = 0; k < input.size(); ++k) inputs[k / static_cast<std::size_t>(spatial_size)].add(input[k]);
    // /output is [(T,) C, spatial...]: the channel cycles fastest after time.
    for (std::size_t k = 0; k < output.size(); ++k)
      outputs[(k / static_cast<std::size_t>(spatial_size)) % outputs.size()].add(output[k]);
    ++summary.samples_used;
  }
  for (std::size_t c = 0; c < inputs.size(); ++c) summary.inputs.push_back(inputs[c].statistics(layout.input_channels[c]));
  for (std::size_t c = 0; c < outputs.size(); ++c)
    summary.outputs.push_back(outputs[c].statistics(layout.output_channels[c]));
  for (const auto& field : layout.meta) {
    Accumulator accumulator;
    const std::vector<double> values = reader.read_meta(field.name);
    for (std::size_t i = 0; i < values.size(); ++i)
      if (mask[i]) accumulator.add(values[i]);
    summary.meta.push_back(accumulator.statistics(field.name));
  }
  return summary;
}

void print_summary(std::ostream& out, const DatasetSummary& s, bool show_config) {
  const DatasetLayout& layout = s.layout;
  out << s.path << "\n";
  out << "  status:   " << (s.complete ? "complete" : "INCOMPLETE") << ", " << s.written << " of "
      << layout.num_samples << " samples written\n";
  out << "  /input    " << shape_text(layout.num_samples, layout.input_sample_shape()) << " "
      << to_string(layout.value_type) << "  axes " << layout.input_axes() << "  channels "
      << join(layout.input_channels, ",") << "\n";
  out << "  /output   " << shape_text(layout.num_samples, layout.output_sample_shape()) << " "
      << to_string(layout.value_type) << "  axes " << layout.output_axes() << "  channels "
      << join(layout.output_channels, ",") << "\n";
  for (std::size_t a = 0; a < layout.coordinates.size(); ++a) {
    const auto& c = layout.coordinates[a];
    out << "  /grid/" << names::axis_names[a] << "    " << c.size() << " points in [" << c.front() << ", "
        << c.back() << "]\n";
  }
  if (layout.time_steps > 0)
    out << "  /grid/t    " << layout.times.size() << " times in [" << layout.times.front() << ", "
        << layout.times.back() << "]\n";
  out << "  provenance:\n";
  for (const auto& [key, value] : s.attributes) out << "    " << std::left << std::setw(18) << key << value << "\n";
  out << "  statistics over " << s.samples_used << " samples:\n";
  out << "   input channels\n";
  print_statistics(out, s.inputs);
  out << "   output channels\n";
  print_statistics(out, s.outputs);
  if (!s.meta.empty()) {
    out << "   per-sample metadata (/meta, all " << s.written << " written samples)\n";
    print_statistics(out, s.meta);
  }
  if (show_config) out << "  config (/provenance/config_yaml):\n" << s.config_yaml;
}

}  // namespace opforge::io
