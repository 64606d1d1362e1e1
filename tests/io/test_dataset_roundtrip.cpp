#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "opforge/core/environment.hpp"
#include "opforge/io/dataset_reader.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "sample_data.hpp"
#include "support/rank_count.hpp"

namespace {

using namespace opforge;
using opforge::test_support::sample_input;
using opforge::test_support::sample_meta;
using opforge::test_support::sample_output;

const Communicator& world() { return Environment::current().world(); }

std::string path_for(const std::string& name) {
  return name + test_support::rank_count_suffix() + ".h5";
}

/// Every rank writes an interleaved share of the samples, in reverse order,
/// so the result cannot depend on who writes what when.
void write_dataset(const std::string& path, const io::DatasetLayout& layout) {
  io::Provenance provenance;
  provenance.attributes = {{"pde_type", "test"}, {"petsc_version", "3.18"}};
  provenance.config_yaml = "pde:\n  type: test\n";
  io::DatasetWriter writer(world(), path, layout, provenance);
  EXPECT_TRUE(std::filesystem::exists(path + ".partial"));
  for (std::int64_t i = layout.num_samples - 1; i >= 0; --i)
    if (i % world().size() == world().rank())
      writer.write_sample(i, sample_input(layout, i).data(), sample_output(layout, i).data(),
                          layout.meta.empty() ? io::MetaValues{} : sample_meta(i));
  writer.finish();
}

template <typename T> std::vector<T> converted(const std::vector<double>& values) {
  return std::vector<T>(values.begin(), values.end());
}

TEST(DatasetRoundTrip, EveryRankReadsBackTheExactBytesOfEverySample) {
  const auto layout = opforge::test_support::small_layout(7, 6, 4);
  const std::string path = path_for("roundtrip_f32");
  write_dataset(path, layout);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));

  const io::DatasetReader reader(path);
  EXPECT_TRUE(reader.complete());
  EXPECT_EQ(reader.written_count(), 7);
  EXPECT_EQ(reader.layout().input_sample_shape(), (std::vector<std::int64_t>{2, 6, 4}));
  EXPECT_EQ(reader.layout().input_channels, layout.input_channels);
  EXPECT_EQ(reader.layout().coordinates, layout.coordinates);
  std::vector<float> input(static_cast<std::size_t>(layout.input_sample_size()));
  std::vector<float> output(static_cast<std::size_t>(layout.output_sample_size()));
  for (std::int64_t i = 0; i < layout.num_samples; ++i) {
    reader.read_inputs({i}, input.data());
    reader.read_outputs({i}, output.data());
    const auto want_in = converted<float>(sample_input(layout, i));
    const auto want_out = converted<float>(sample_output(layout, i));
    EXPECT_EQ(std::memcmp(input.data(), want_in.data(), input.size() * sizeof(float)), 0) << "sample " << i;
    EXPECT_EQ(std::memcmp(output.data(), want_out.data(), output.size() * sizeof(float)), 0) << "sample " << i;
  }
  const auto seeds = reader.read_meta("seed");
  const auto iterations = reader.read_meta("iterations");
  for (std::int64_t i = 0; i < layout.num_samples; ++i) {
    EXPECT_EQ(seeds[i], 9000000000.0 + double(i));
    EXPECT_EQ(iterations[i], 10.0 + double(i));
  }
}

TEST(DatasetRoundTrip, ReadsAnySubsetInAnyOrder) {
  const auto layout = opforge::test_support::small_layout(5, 3, 3, io::ValueType::float64);
  const std::string path = path_for("roundtrip_f64");
  write_dataset(path, layout);
  const io::DatasetReader reader(path);
  EXPECT_EQ(reader.layout().value_type, io::ValueType::float64);
  const std::vector<std::int64_t> indices{4, 0, 2};
  std::vector<double> inputs(indices.size() * static_cast<std::size_t>(layout.input_sample_size()));
  reader.read_inputs(indices, inputs.data());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const auto want = sample_input(layout, indices[k]);
    EXPECT_TRUE(std::equal(want.begin(), want.end(), inputs.begin() + k * want.size())) << "index " << indices[k];
  }
}

TEST(DatasetRoundTrip, ProvenanceIsStoredAsAttributesAndConfigText) {
  const auto layout = opforge::test_support::small_layout(2, 2, 2);
  const std::string path = path_for("roundtrip_provenance");
  write_dataset(path, layout);
  const io::DatasetReader reader(path);
  std::map<std::string, std::string> attributes;
  for (const auto& [key, value] : reader.attributes()) attributes[key] = value;
  EXPECT_EQ(attributes["format"], "opforge-dataset");
  EXPECT_EQ(attributes["complete"], "1");
  EXPECT_EQ(attributes["pde_type"], "test");
  EXPECT_EQ(attributes["num_ranks"], std::to_string(world().size()));
  EXPECT_EQ(attributes["hdf5_version"].rfind("1.10", 0), 0u);
  EXPECT_FALSE(attributes["created_utc"].empty());
  EXPECT_EQ(reader.config_yaml(), "pde:\n  type: test\n");
}

TEST(DatasetRoundTrip, TimeAxisIn3D) {
  io::DatasetLayout layout;
  layout.num_samples = 3;
  layout.input_channels = {"u", "v", "w"};
  layout.output_channels = {"u", "v", "w"};
  layout.spatial_shape = {4, 4, 4};
  layout.coordinates = {io::linspace(0, 1, 4), io::linspace(0, 1, 4), io::linspace(0, 1, 4)};
  layout.time_steps = 2;
  layout.times = {0.1, 0.2};
  const std::string path = path_for("roundtrip_time");
  write_dataset(path, layout);
  const io::DatasetReader reader(path);
  EXPECT_EQ(reader.layout().output_sample_shape(), (std::vector<std::int64_t>{2, 3, 4, 4, 4}));
  EXPECT_EQ(reader.layout().output_axes(), "N,T,C,x,y,z");
  EXPECT_EQ(reader.layout().times, layout.times);
  std::vector<float> output(static_cast<std::size_t>(layout.output_sample_size()));
  reader.read_outputs({2}, output.data());
  EXPECT_EQ(output, converted<float>(sample_output(layout, 2)));
}

}  // namespace
