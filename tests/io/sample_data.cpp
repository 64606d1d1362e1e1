#include "sample_data.hpp"

#include <cmath>

namespace opforge::test_support {

io::DatasetLayout small_layout(std::int64_t samples, std::int64_t nx, std::int64_t ny, io::ValueType type) {
  io::DatasetLayout layout;
  layout.num_samples = samples;
  layout.input_channels = {"coefficient", "source"};
  layout.output_channels = {"solution"};
  layout.spatial_shape = {nx, ny};
  layout.coordinates = {io::linspace(0.0, 1.0, nx), io::linspace(0.0, 1.0, ny)};
  layout.value_type = type;
  layout.meta = {{"seed", io::MetaType::int64, "random seed of the sample"},
                 {"iterations", io::MetaType::int32, "Krylov iterations"},
                 {"residual", io::MetaType::float64, "relative true residual"},
                 {"converged", io::MetaType::uint8, "1 when the solver converged"}};
  return layout;
}

std::vector<double> sample_input(const io::DatasetLayout& layout, std::int64_t index) {
  std::vector<double> values(static_cast<std::size_t>(layout.input_sample_size()));
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = 1000.0 * double(index) + std::sin(0.1 * double(k) + 1.0);
  return values;
}

std::vector<double> sample_output(const io::DatasetLayout& layout, std::int64_t index) {
  std::vector<double> values(static_cast<std::size_t>(layout.output_sample_size()));
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = -double(index) + std::cos(0.05 * double(k)) / 3.0;
  return values;
}

io::MetaValues sample_meta(std::int64_t index) {
  return {{"seed", std::int64_t(9000000000LL + index)},
          {"iterations", std::int64_t(10 + index)},
          {"residual", 1e-9 * double(index + 1)},
          {"converged", std::int64_t(1)}};
}

}  // namespace opforge::test_support
