#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "opforge/core/environment.hpp"
#include "opforge/core/error.hpp"
#include "opforge/io/dataset_reader.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "sample_data.hpp"
#include "support/expect_error.hpp"
#include "support/rank_count.hpp"

namespace {

using namespace opforge;
using opforge::test_support::sample_input;
using opforge::test_support::sample_meta;
using opforge::test_support::sample_output;

const Communicator& world() { return Environment::current().world(); }
std::string name_for(const std::string& base) { return base + test_support::rank_count_suffix() + ".h5"; }

io::Provenance provenance_with_seed(const std::string& seed) {
  io::Provenance p;
  p.attributes = {{"seed", seed}, {"solver", "whatever"}};
  return p;
}

io::ResumeOptions resume_on_seed() {
  io::ResumeOptions r;
  r.enabled = true;
  r.identity = {"seed"};
  return r;
}

/// Writes the samples in `which` (rank r those with i = r mod P), then stops
/// without finish() if `stop`, as a killed run would.
void write_some(const std::string& path, const std::vector<std::int64_t>& which, bool stop,
                const std::string& seed = "1") {
  const auto layout = test_support::small_layout(8, 4, 3);
  io::DatasetWriter writer(world(), path, layout, provenance_with_seed(seed), resume_on_seed());
  for (const auto i : which)
    if (writer.kept()[static_cast<std::size_t>(i)] == 0 && i % world().size() == world().rank())
      writer.write_sample(i, sample_input(layout, i).data(), sample_output(layout, i).data(), sample_meta(i));
  if (!stop) writer.finish();
  // Without finish() the handles close in the destructor: like a kill, the
  // .partial file stays with its written mask and no `complete` flag.
}

std::vector<std::int64_t> all8() { return {0, 1, 2, 3, 4, 5, 6, 7}; }

TEST(DatasetResume, InterruptedWriteIsContinuedKeepingWrittenSamples) {
  const std::string path = name_for("resume_basic");
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".partial");
  write_some(path, {0, 1, 2, 5}, true);
  ASSERT_FALSE(std::filesystem::exists(path));
  {
    const auto layout = test_support::small_layout(8, 4, 3);
    io::DatasetWriter writer(world(), path, layout, provenance_with_seed("1"), resume_on_seed());
    EXPECT_EQ(writer.kept(), (std::vector<std::uint8_t>{1, 1, 1, 0, 0, 1, 0, 0}));
    for (const auto i : all8())
      if (!writer.kept()[static_cast<std::size_t>(i)] && i % world().size() == world().rank())
        writer.write_sample(i, sample_input(layout, i).data(), sample_output(layout, i).data(), sample_meta(i));
    writer.finish();
  }
  const io::DatasetReader reader(path);
  const auto layout = reader.layout();
  std::vector<double> values(static_cast<std::size_t>(layout.output_sample_size()));
  for (const auto i : all8()) {
    reader.read_outputs({i}, values.data());
    const auto expected = sample_output(layout, i);
    for (std::size_t k = 0; k < values.size(); ++k) ASSERT_FLOAT_EQ(values[k], expected[k]) << i;
  }
}

TEST(DatasetResume, CorruptedKeptSampleIsWrittenAgain) {
  const std::string path = name_for("resume_corrupt");
  std::filesystem::remove(path + ".partial");
  write_some(path, {0, 1, 2, 3}, true);
  world().barrier();
  if (world().rank() == 0) {  // flip a byte of sample 2's first input value
    std::ifstream in(path + ".partial", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const auto layout = test_support::small_layout(8, 4, 3);
    const float first = static_cast<float>(sample_input(layout, 2)[0]);
    const auto at = bytes.find(std::string(reinterpret_cast<const char*>(&first), sizeof first));
    ASSERT_NE(at, std::string::npos);
    bytes[at + 1] = static_cast<char>(bytes[at + 1] ^ 0x10);
    std::ofstream(path + ".partial", std::ios::binary | std::ios::trunc) << bytes;
  }
  world().barrier();
  const auto layout = test_support::small_layout(8, 4, 3);
  io::DatasetWriter writer(world(), path, layout, provenance_with_seed("1"), resume_on_seed());
  EXPECT_EQ(writer.kept(), (std::vector<std::uint8_t>{1, 1, 0, 1, 0, 0, 0, 0}));
}

TEST(DatasetResume, PartialFileOfAnotherSeedIsRefusedNotMixed) {
  const std::string path = name_for("resume_other_seed");
  std::filesystem::remove(path + ".partial");
  write_some(path, {0, 1}, true, "1");
  const std::string message = test_support::message_of<IoError>([&] { write_some(path, all8(), false, "2"); });
  EXPECT_NE(message.find("it was written with another seed '1' (file) vs '2' (now)"), std::string::npos) << message;
  EXPECT_TRUE(std::filesystem::exists(path + ".partial"));  // the earlier work is left alone
}

TEST(DatasetResume, UnreadablePartialFileIsReplacedWithANote) {
  const std::string path = name_for("resume_garbage");
  if (world().rank() == 0) std::ofstream(path + ".partial") << "not hdf5";
  world().barrier();
  const auto layout = test_support::small_layout(8, 4, 3);
  io::DatasetWriter writer(world(), path, layout, provenance_with_seed("1"), resume_on_seed());
  EXPECT_EQ(writer.kept_count(), 0);
  EXPECT_NE(writer.resume_note().find("could not be resumed and is replaced"), std::string::npos);
}

}  // namespace
