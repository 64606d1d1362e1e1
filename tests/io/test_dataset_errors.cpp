#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "opforge/core/environment.hpp"
#include "opforge/core/error.hpp"
#include "opforge/io/dataset_reader.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "sample_data.hpp"
#include "support/expect_error.hpp"

namespace {

using namespace opforge;
using opforge::test_support::sample_input;
using opforge::test_support::sample_meta;
using opforge::test_support::sample_output;

std::string io_error_of(const std::function<void()>& action) {
  return opforge::test_support::message_of<IoError>(action);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Writes samples [0, written) of an n-sample dataset; finishes only when all are written.
void write_samples(const std::string& path, std::int64_t n, std::int64_t written) {
  const auto layout = opforge::test_support::small_layout(n, 4, 4);
  io::DatasetWriter writer(Environment::current().world(), path, layout, {});
  for (std::int64_t i = 0; i < written; ++i)
    writer.write_sample(i, sample_input(layout, i).data(), sample_output(layout, i).data(), sample_meta(i));
  writer.finish();
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(DatasetErrors, MissingFileSaysSoAndPointsAtAnUnfinishedRun) {
  std::filesystem::remove("absent.h5.partial");
  EXPECT_EQ(io_error_of([] { io::DatasetReader("absent.h5"); }), "dataset 'absent.h5' does not exist");
  write_bytes("absent.h5.partial", "x");
  EXPECT_TRUE(contains(io_error_of([] { io::DatasetReader("absent.h5"); }), "has not finished"));
}

TEST(DatasetErrors, UnfinishedWriteLeavesOnlyAnIncompletePartialFile) {
  std::filesystem::remove("unfinished.h5");
  const std::string message = io_error_of([] { write_samples("unfinished.h5", 4, 3); });
  EXPECT_EQ(message, "dataset 'unfinished.h5.partial' is incomplete: 3 of 4 samples written (first missing: 3)");
  EXPECT_FALSE(std::filesystem::exists("unfinished.h5"));
  ASSERT_TRUE(std::filesystem::exists("unfinished.h5.partial"));

  EXPECT_TRUE(contains(io_error_of([] { io::DatasetReader("unfinished.h5.partial"); }),
                       "incomplete: 3 of 4 samples written and the 'complete' flag is not set"));
  io::ReaderOptions options;
  options.allow_incomplete = true;
  const io::DatasetReader reader("unfinished.h5.partial", options);
  EXPECT_FALSE(reader.complete());
  EXPECT_EQ(reader.written_mask(), (std::vector<std::uint8_t>{1, 1, 1, 0}));
  std::vector<float> values(static_cast<std::size_t>(reader.layout().input_sample_size()));
  EXPECT_NO_THROW(reader.read_inputs({2}, values.data()));
  EXPECT_TRUE(contains(io_error_of([&] { reader.read_inputs({3}, values.data()); }), "sample 3 was never written"));
}

TEST(DatasetErrors, TruncatedFileIsReportedAsUnreadable) {
  write_samples("whole.h5", 4, 4);
  const std::string bytes = read_bytes("whole.h5");
  write_bytes("truncated.h5", bytes.substr(0, bytes.size() / 2));
  const std::string message = io_error_of([] { io::DatasetReader("truncated.h5"); });
  EXPECT_TRUE(contains(message, "dataset 'truncated.h5': cannot open as HDF5 (truncated or not an HDF5 file)"))
      << message;
  EXPECT_TRUE(contains(message, "truncated file")) << message;
}

TEST(DatasetErrors, CorruptedSampleFailsItsChecksum) {
  write_samples("clean.h5", 4, 4);
  std::string bytes = read_bytes("clean.h5");
  // Find sample 2's first stored input value in the file and alter one byte.
  const auto layout = opforge::test_support::small_layout(4, 4, 4);
  const float first = static_cast<float>(sample_input(layout, 2)[0]);
  const std::string pattern(reinterpret_cast<const char*>(&first), sizeof first);
  const auto at = bytes.find(pattern);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = static_cast<char>(bytes[at + 1] ^ 0x10);
  write_bytes("corrupted.h5", bytes);

  const io::DatasetReader reader("corrupted.h5");
  std::vector<float> values(static_cast<std::size_t>(layout.input_sample_size()));
  EXPECT_NO_THROW(reader.read_inputs({1}, values.data()));
  EXPECT_EQ(io_error_of([&] { reader.read_inputs({2}, values.data()); }),
            "dataset 'corrupted.h5': /input of sample 2 does not match its checksum (the file is corrupted)");
}

TEST(DatasetErrors, FileThatIsNotHdf5) {
  write_bytes("notes.h5", "this is a text file, not HDF5\n");
  EXPECT_TRUE(contains(io_error_of([] { io::DatasetReader("notes.h5"); }), "cannot open as HDF5"));
}

TEST(DatasetErrors, ForeignHdf5LayoutsAreRejectedByName) {
  {  // a plain HDF5 file, e.g. a PDEBench file: no opforge format attribute
    const hid_t file = H5Fcreate("foreign.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    H5Fclose(file);
  }
  EXPECT_EQ(io_error_of([] { io::DatasetReader("foreign.h5"); }),
            "dataset 'foreign.h5': not an opforge dataset (root attribute 'format' is not 'opforge-dataset')");

  write_samples("layout.h5", 2, 2);
  {  // the right attributes but a dataset missing
    const hid_t file = H5Fopen("layout.h5", H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    ASSERT_GE(H5Ldelete(file, "/output", H5P_DEFAULT), 0);
    H5Fclose(file);
  }
  EXPECT_EQ(io_error_of([] { io::DatasetReader("layout.h5"); }),
            "dataset 'layout.h5': missing /output (not an opforge dataset of a known layout)");
}

/// Replaces the dataset at `path` of `file_name` by one of `dims` elements of `type`, written from zeros.
void replace_dataset(const std::string& file_name, const std::string& path, hid_t type, std::vector<hsize_t> dims) {
  const hid_t file = H5Fopen(file_name.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  ASSERT_GE(H5Ldelete(file, path.c_str(), H5P_DEFAULT), 0);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t dataset = H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t count = 1;
  for (const auto d : dims) count *= d;
  const std::vector<char> zeros(count * H5Tget_size(type), '\0');
  H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
  H5Dclose(dataset);
  H5Sclose(space);
  H5Fclose(file);
}

// What the dataset fuzz target (tests/fuzz/dataset_fuzz.cpp) found: arrays
// where the reader expected one value were read past the end of its buffer.
TEST(DatasetErrors, ArraysWhereOneValueIsExpectedAreRefusedNamingTheFile) {
  write_samples("arrays.h5", 2, 2);
  {  // format_version as three integers
    const hid_t file = H5Fopen("arrays.h5", H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(H5Adelete(file, "format_version"), 0);
    const hsize_t three = 3;
    const std::int64_t values[3] = {1, 1, 1};
    const hid_t space = H5Screate_simple(1, &three, nullptr);
    const hid_t attribute = H5Acreate2(file, "format_version", H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, H5T_NATIVE_INT64, values);
    H5Aclose(attribute);
    H5Sclose(space);
    H5Fclose(file);
  }
  EXPECT_EQ(io_error_of([] { io::DatasetReader("arrays.h5"); }),
            "dataset 'arrays.h5': attribute 'format_version' holds 3 values, expected one");

  write_samples("meta_shape.h5", 2, 2);
  replace_dataset("meta_shape.h5", "/meta/residual", H5T_NATIVE_DOUBLE, {2, 3});
  EXPECT_EQ(io_error_of([&] { io::DatasetReader("meta_shape.h5").read_meta("residual"); }),
            "dataset 'meta_shape.h5': /meta/residual must be one-dimensional, has 2 axes");
  replace_dataset("meta_shape.h5", "/meta/residual", H5T_NATIVE_DOUBLE, {1});
  EXPECT_EQ(io_error_of([&] { io::DatasetReader("meta_shape.h5").read_meta("residual"); }),
            "dataset 'meta_shape.h5': /meta/residual has 1 entries for 2 samples");

  const hid_t text = H5Tcopy(H5T_C_S1);
  H5Tset_size(text, 8);
  replace_dataset("meta_shape.h5", "/provenance/config_yaml", text, {2});
  H5Tclose(text);
  EXPECT_EQ(io_error_of([&] { io::DatasetReader("meta_shape.h5").config_yaml(); }),
            "dataset 'meta_shape.h5': /provenance/config_yaml holds 2 strings, expected one");
}

TEST(DatasetErrors, WriterRejectsBadIndicesMetadataAndLayouts) {
  auto layout = opforge::test_support::small_layout(2, 4, 4);
  io::DatasetWriter writer(Environment::current().world(), "bad_writes.h5", layout, {});
  const auto in = sample_input(layout, 0), out = sample_output(layout, 0);
  EXPECT_THROW(writer.write_sample(2, in.data(), out.data(), sample_meta(0)), UsageError);
  EXPECT_THROW(writer.write_sample(0, in.data(), out.data(), {{"seed", std::int64_t(1)}}), UsageError);
  writer.write_sample(0, in.data(), out.data(), sample_meta(0));
  writer.write_sample(1, in.data(), out.data(), sample_meta(1));
  writer.finish();

  layout.coordinates.pop_back();
  EXPECT_THROW(io::DatasetWriter(Environment::current().world(), "bad_layout.h5", layout, {}), UsageError);
}

TEST(DatasetErrors, UnwritableDirectoryIsAClearError) {
  const auto layout = opforge::test_support::small_layout(1, 2, 2);
  write_bytes("a_plain_file", "x");
  const std::string message =
      io_error_of([&] { io::DatasetWriter(Environment::current().world(), "a_plain_file/sub/x.h5", layout, {}); });
  EXPECT_TRUE(contains(message, "cannot create directory 'a_plain_file/sub'")) << message;
}

}  // namespace
