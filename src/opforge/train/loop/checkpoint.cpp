#include "opforge/train/loop/checkpoint.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "opforge/core/error.hpp"
#include "opforge/core/file_commit.hpp"
#include "opforge/core/text.hpp"
#include "opforge/config/differences.hpp"
#include "opforge/io/zip_integrity.hpp"

namespace opforge::train {
namespace {
void atomic_save(torch::serialize::OutputArchive& archive, const std::string& path) {
  const std::string temporary = path + ".tmp";
  try {
    archive.save_to(temporary);
  } catch (const c10::Error& e) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    OPFORGE_THROW(IoError, "cannot write checkpoint '", temporary, "' (the previous '", path,
                  "' is untouched): ", e.what_without_backtrace());
  }
  commit_file(temporary, path);
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string listed(const std::vector<std::string>& names) { return "[" + join(names, ", ") + "]"; }
}  // namespace

void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const Normalizer& normalizer, const CheckpointContents& contents,
                     torch::nn::Module* loss_parameters) {
  torch::serialize::OutputArchive archive, model_archive, optimizer_archive, loss_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
  if (loss_parameters) {
    loss_parameters->save(loss_archive);
    archive.write("loss", loss_archive);
  }
  if (optimizer) {
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  archive.write("normalizer.input_mean", normalizer.input_mean);
  archive.write("normalizer.input_std", normalizer.input_std);
  archive.write("normalizer.output_mean", normalizer.output_mean);
  archive.write("normalizer.output_std", normalizer.output_std);
  archive.write("completed_epochs", torch::tensor(contents.completed_epochs));
  archive.write("config_yaml", c10::IValue(contents.config_yaml));
  archive.write("model_description", c10::IValue(contents.model_description));
  archive.write("completed_steps", torch::tensor(contents.completed_steps));
  archive.write("epoch_loss_sum", torch::tensor(contents.epoch_loss_sum, torch::kFloat64));
  archive.write("best_epoch", torch::tensor(contents.best.epoch));
  archive.write("best_errors", torch::tensor({contents.best.validation_l2, contents.best.test_l2, contents.best.test_h1},
                                             torch::kFloat64));
  // Channel names, one per line.
  archive.write("data.input_channels", c10::IValue(join(contents.input_channels, "\n")));
  archive.write("data.output_channels", c10::IValue(join(contents.output_channels, "\n")));
  archive.write("data.spatial_dims", torch::tensor(contents.spatial_dims));
  if (!contents.example_state.empty()) archive.write("example_state", c10::IValue(contents.example_state));
  archive.write("format", c10::IValue(std::string("opforge-checkpoint-1")));
  atomic_save(archive, path);
}


CheckpointReader::CheckpointReader(std::string path) : path_(std::move(path)) {
  OPFORGE_CHECK(std::filesystem::exists(path_), IoError, "checkpoint '", path_, "' does not exist");
  io::verify_zip_integrity(path_, "checkpoint");
  try {
    archive_.load_from(path_);
    c10::IValue format;
    OPFORGE_CHECK(archive_.try_read("format", format) && format.isString() &&
                      format.toStringRef() == "opforge-checkpoint-1",
                  IoError, "'", path_, "' is not an opforge checkpoint");
    torch::Tensor epochs;
    archive_.read("completed_epochs", epochs);
    contents_.completed_epochs = epochs.item<std::int64_t>();
    c10::IValue value;
    archive_.read("config_yaml", value);
    contents_.config_yaml = value.toStringRef();
    archive_.read("model_description", value);
    contents_.model_description = value.toStringRef();
    torch::Tensor steps, loss_sum;
    if (archive_.try_read("completed_steps", steps) && archive_.try_read("epoch_loss_sum", loss_sum)) {
      contents_.completed_steps = steps.item<std::int64_t>();
      contents_.epoch_loss_sum = loss_sum.item<double>();
    }
    torch::Tensor best_epoch, best_errors;  // absent in checkpoints from before model selection
    if (archive_.try_read("best_epoch", best_epoch) && archive_.try_read("best_errors", best_errors)) {
      contents_.best.epoch = best_epoch.item<std::int64_t>();
      contents_.best.validation_l2 = best_errors[0].item<double>();
      contents_.best.test_l2 = best_errors[1].item<double>();
      contents_.best.test_h1 = best_errors[2].item<double>();
    }
    c10::IValue inputs, outputs;
    torch::Tensor spatial_dims;  // absent in checkpoints from before the layout was stored
    if (archive_.try_read("data.input_channels", inputs) && archive_.try_read("data.output_channels", outputs) &&
        archive_.try_read("data.spatial_dims", spatial_dims)) {
      contents_.input_channels = split(inputs.toStringRef(), '\n');
      contents_.output_channels = split(outputs.toStringRef(), '\n');
      contents_.spatial_dims = spatial_dims.item<std::int64_t>();
    }
    if (c10::IValue state; archive_.try_read("example_state", state)) contents_.example_state = state.toStringRef();
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    OPFORGE_THROW(IoError, "cannot read checkpoint '", path_, "': ", e.what_without_backtrace());
  } catch (const std::exception& e) {  // LibTorch's archive raises other types too (a missing field)
    OPFORGE_THROW(IoError, "cannot read checkpoint '", path_, "': ", first_line(e.what()));
  }
}

void CheckpointReader::restore(torch::nn::Module& model, torch::optim::Optimizer* optimizer, Normalizer& normalizer,
                               torch::nn::Module* loss_parameters) {
  try {
    torch::serialize::InputArchive model_archive, optimizer_archive, loss_archive;
    archive_.read("model", model_archive);
    model.load(model_archive);
    if (loss_parameters) {
      OPFORGE_CHECK(archive_.try_read("loss", loss_archive), IoError, "'", path_,
                    "' has no learned loss parameters (was it trained with a fixed smagorinsky_cs2?)");
      loss_parameters->load(loss_archive);
    }
    if (optimizer && archive_.try_read("optimizer", optimizer_archive)) optimizer->load(optimizer_archive);
    archive_.read("normalizer.input_mean", normalizer.input_mean);
    archive_.read("normalizer.input_std", normalizer.input_std);
    archive_.read("normalizer.output_mean", normalizer.output_mean);
    archive_.read("normalizer.output_std", normalizer.output_std);
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    OPFORGE_THROW(IoError, "cannot load the weights of checkpoint '", path_, "': ", e.what_without_backtrace());
  } catch (const std::exception& e) {
    OPFORGE_THROW(IoError, "cannot load the weights of checkpoint '", path_, "': ", first_line(e.what()));
  }
}

void check_fits_evaluation(const CheckpointReader& checkpoint, const std::string& config_yaml,
                           const io::DatasetLayout& data, const ModelShape& shape) {
  const CheckpointContents& c = checkpoint.contents();
  // How the Fourier transform is computed, and the grid the same weights run
  // on (docs/models.md, latent_grid), are chosen at evaluation.
  static const std::vector<std::string> evaluation_choices = {"model.spectral_transform", "model.latent_grid"};
  std::vector<config::KeyDifference> model_keys;
  for (auto& d : config::differing_keys(model_section_as_read(c.config_yaml, shape), config_yaml, "model"))
    if (std::find(evaluation_choices.begin(), evaluation_choices.end(), d.key) == evaluation_choices.end())
      model_keys.push_back(std::move(d));
  std::string mismatch = config::describe(model_keys, "checkpoint", "config");
  auto add = [&](const std::string& text) { mismatch += (mismatch.empty() ? "" : "; ") + text; };
  if (!c.input_channels.empty() && c.input_channels != data.input_channels)
    add("input channels: checkpoint " + listed(c.input_channels) + ", dataset " + listed(data.input_channels));
  if (!c.output_channels.empty() && c.output_channels != data.output_channels)
    add("output channels: checkpoint " + listed(c.output_channels) + ", dataset " + listed(data.output_channels));
  if (c.spatial_dims > 0 && c.spatial_dims != shape.spatial_dims)
    add("spatial axes: checkpoint " + std::to_string(c.spatial_dims) + ", dataset " + std::to_string(shape.spatial_dims));
  OPFORGE_CHECK(mismatch.empty(), ConfigError, "checkpoint '", checkpoint.path(),
                "' does not fit this model and data: ", mismatch);
}

const std::vector<std::string>& resume_safe_keys() {
  // How long to train, how often to save, how fast to run, where to write:
  // none of them changes the trajectory of the steps already taken.
  static const std::vector<std::string> keys = {"training.epochs", "training.checkpoint_every", "training.threads",
                                                "training.resume", "training.overlap_allreduce", "output.*"};
  return keys;
}

void check_resumable(const CheckpointReader& checkpoint, const std::string& config_yaml, const ModelShape& shape) {
  auto safe = [](const std::string& key) {
    for (const auto& allowed : resume_safe_keys()) {
      if (allowed == key) return true;
      if (allowed.size() > 2 && allowed.compare(allowed.size() - 2, 2, ".*") == 0 &&
          key.rfind(allowed.substr(0, allowed.size() - 1), 0) == 0)
        return true;
    }
    return false;
  };
  std::vector<config::KeyDifference> refused;
  for (auto& d : config::differing_keys(model_section_as_read(checkpoint.contents().config_yaml, shape), config_yaml))
    if (!safe(d.key)) refused.push_back(std::move(d));
  std::string allowed;
  for (const auto& key : resume_safe_keys()) allowed += (allowed.empty() ? "" : ", ") + key;
  OPFORGE_CHECK(refused.empty(), ConfigError, "--resume: checkpoint '", checkpoint.path(),
                "' is from another experiment: ", config::describe(refused, "checkpoint", "config"),
                " (only ", allowed, " may change on resume; start a new output.directory instead)");
}

void save_weights(const std::string& path, torch::nn::Module& model) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  atomic_save(archive, path);
}

}  // namespace opforge::train
