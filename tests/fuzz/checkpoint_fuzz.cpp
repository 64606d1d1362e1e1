// libFuzzer target for the checkpoint loader. The first byte picks a mode:
//  - bytes: the template checkpoint ($OPFORGE_FUZZ_TEMPLATE) with bytes
//    overwritten at offsets the input gives, as disk or transfer damage
//    would; the CRC-32 check must catch it or the file must load;
//  - entries: a checkpoint written with LibTorch's archive from a recipe:
//    each entry (format, epochs, config, data layout, model, normaliser)
//    right, missing, of the wrong type, or with other values, as a file from
//    another version or another tool would be.
// The file is then read as `opforge evaluate` and `--resume` read one:
// CheckpointReader, the comparison with the template's config, restore into
// the template's model. It must either work or raise an opforge::Error —
// never crash, leak another exception type, or trip AddressSanitizer/UBSan.
//   scripts/fuzz-checkpoint.sh [SECONDS]    (builds with clang, runs, keeps findings)
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "opforge/config/config.hpp"
#include "opforge/core/error.hpp"
#include "opforge/train/loop/checkpoint.hpp"

namespace {

std::string work_path;
std::string template_bytes;
std::string template_yaml;
opforge::train::CheckpointContents template_contents;
opforge::train::ModelShape template_shape;

struct Recipe {
  const std::uint8_t* data;
  std::size_t size, at = 0;
  bool more() const { return at < size; }
  std::uint8_t byte() { return at < size ? data[at++] : 0; }
  std::uint32_t word() { return (std::uint32_t(byte()) << 16) | (std::uint32_t(byte()) << 8) | byte(); }
};

std::shared_ptr<opforge::train::OperatorModelImpl> template_model() {
  const auto document = opforge::config::Document::parse(template_yaml, "template");
  return opforge::train::make_model(document.root().section("model"), template_shape);
}

/// A tensor of a shape and type the recipe picks (often the expected one).
torch::Tensor tensor(Recipe& r, const torch::Tensor& expected) {
  switch (r.byte() % 4) {
    case 0: return expected.clone();
    case 1: return torch::rand({r.byte() % 4, r.byte() % 3});
    case 2: return torch::tensor(static_cast<double>(r.word()) - 1e6);
    default: return torch::tensor(std::int64_t(r.word()));
  }
}

/// An IValue of a type the recipe picks: the expected string, another one, or no string.
c10::IValue text(Recipe& r, const std::string& expected) {
  switch (r.byte() % 4) {
    case 0: return c10::IValue(expected);
    case 1: {
      std::string other;
      for (int k = r.byte() % 24; k > 0; --k) other += static_cast<char>(r.byte());
      return c10::IValue(other);
    }
    case 2: return c10::IValue(std::int64_t(r.word()));
    default: return c10::IValue(torch::ones({2}));
  }
}

void write_entries(Recipe& r) {
  torch::serialize::OutputArchive archive, model_archive;
  auto model = template_model();
  if (r.byte() % 3 == 0) {  // another model's weights: other widths
    const auto document = opforge::config::Document::parse(
        "model: {type: fno, modes: [2, 2], width: " + std::to_string(1 + r.byte() % 6) + ", padding: 1, projection: 4}",
        "other");
    opforge::train::make_model(document.root().section("model"), template_shape)->save(model_archive);
  } else {
    model->save(model_archive);
  }
  const auto present = r.word();  // one bit per entry: written or left out
  auto put = [&](int bit, const std::string& key, const c10::IValue& value) {
    if (present & (1u << bit)) archive.write(key, value);
  };
  if (present & 1u) archive.write("model", model_archive);
  const auto channels = torch::zeros({template_shape.in_channels});
  put(1, "format", text(r, "opforge-checkpoint-1"));
  put(2, "completed_epochs", tensor(r, torch::tensor(std::int64_t(3))));
  put(3, "config_yaml", text(r, template_yaml));
  put(4, "model_description", text(r, "fno"));
  put(5, "normalizer.input_mean", tensor(r, channels));
  put(6, "normalizer.input_std", tensor(r, channels + 1));
  put(7, "normalizer.output_mean", tensor(r, channels));
  put(8, "normalizer.output_std", tensor(r, channels + 1));
  put(9, "completed_steps", tensor(r, torch::tensor(std::int64_t(0))));
  put(10, "epoch_loss_sum", tensor(r, torch::tensor(0.0, torch::kFloat64)));
  put(11, "best_epoch", tensor(r, torch::tensor(std::int64_t(1))));
  put(12, "best_errors", tensor(r, torch::zeros({3}, torch::kFloat64)));
  put(13, "data.input_channels", text(r, "a"));
  put(14, "data.output_channels", text(r, "u"));
  put(15, "data.spatial_dims", tensor(r, torch::tensor(std::int64_t(2))));
  archive.save_to(work_path);
}

void damage_bytes(Recipe& r) {
  std::string bytes = template_bytes;
  while (r.more()) {
    const std::size_t offset = r.word() % bytes.size();
    bytes[offset] = static_cast<char>(r.byte());
  }
  if (r.size % 7 == 0) bytes.resize(r.size % bytes.size());  // cut short now and then
  std::ofstream(work_path, std::ios::binary) << bytes;
}

void read_like_opforge() {
  opforge::train::CheckpointReader checkpoint(work_path);
  opforge::io::DatasetLayout data;
  data.input_channels = template_contents.input_channels;
  data.output_channels = template_contents.output_channels;
  opforge::train::check_fits_evaluation(checkpoint, template_yaml, data, template_shape);
  opforge::train::check_resumable(checkpoint, template_yaml, template_shape);
  auto model = template_model();
  auto normalizer = opforge::train::Normalizer::identity(template_shape);
  checkpoint.restore(*model, nullptr, normalizer);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* from = std::getenv("OPFORGE_FUZZ_TEMPLATE");
  if (!from) {
    std::cerr << "checkpoint fuzz: set OPFORGE_FUZZ_TEMPLATE to a checkpoint written by opforge train\n";
    std::abort();
  }
  std::ifstream in(from, std::ios::binary);
  template_bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  const opforge::train::CheckpointReader reader(from);
  template_contents = reader.contents();
  template_yaml = template_contents.config_yaml;
  template_shape = {static_cast<std::int64_t>(template_contents.input_channels.size()),
                    static_cast<std::int64_t>(template_contents.output_channels.size()), template_contents.spatial_dims};
  work_path = "checkpoint_fuzz_" + std::to_string(::getpid()) + ".pt";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Recipe recipe{data, size};
  if (recipe.byte() % 2) write_entries(recipe);
  else damage_bytes(recipe);
  try {
    read_like_opforge();
  } catch (const opforge::Error&) {
    // A clean, reported error: the expected outcome for a damaged file.
  } catch (const std::exception& e) {
    std::cerr << "checkpoint fuzz: escaped exception: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
