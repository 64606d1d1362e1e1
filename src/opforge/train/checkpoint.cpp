#include "opforge/train/checkpoint.hpp"

#include <cstdio>
#include <filesystem>

#include "opforge/core/error.hpp"

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
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    OPFORGE_THROW(IoError, "cannot rename '", temporary, "' to '", path, "'");
}
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
  archive.write("format", c10::IValue(std::string("opforge-checkpoint-1")));
  atomic_save(archive, path);
}

CheckpointContents load_checkpoint(const std::string& path, torch::nn::Module& model,
                                   torch::optim::Optimizer* optimizer, Normalizer& normalizer,
                                   torch::nn::Module* loss_parameters) {
  OPFORGE_CHECK(std::filesystem::exists(path), IoError, "checkpoint '", path, "' does not exist");
  CheckpointContents contents;
  try {
    torch::serialize::InputArchive archive, model_archive, optimizer_archive, loss_archive;
    archive.load_from(path);
    c10::IValue format;
    OPFORGE_CHECK(archive.try_read("format", format) && format.isString() &&
                      format.toStringRef() == "opforge-checkpoint-1",
                  IoError, "'", path, "' is not an opforge checkpoint");
    archive.read("model", model_archive);
    model.load(model_archive);
    if (loss_parameters) {
      OPFORGE_CHECK(archive.try_read("loss", loss_archive), IoError, "'", path,
                    "' has no learned loss parameters (was it trained with a fixed smagorinsky_cs2?)");
      loss_parameters->load(loss_archive);
    }
    if (optimizer && archive.try_read("optimizer", optimizer_archive)) optimizer->load(optimizer_archive);
    archive.read("normalizer.input_mean", normalizer.input_mean);
    archive.read("normalizer.input_std", normalizer.input_std);
    archive.read("normalizer.output_mean", normalizer.output_mean);
    archive.read("normalizer.output_std", normalizer.output_std);
    torch::Tensor epochs;
    archive.read("completed_epochs", epochs);
    contents.completed_epochs = epochs.item<std::int64_t>();
    c10::IValue value;
    archive.read("config_yaml", value);
    contents.config_yaml = value.toStringRef();
    archive.read("model_description", value);
    contents.model_description = value.toStringRef();
    torch::Tensor steps, loss_sum;
    if (archive.try_read("completed_steps", steps) && archive.try_read("epoch_loss_sum", loss_sum)) {
      contents.completed_steps = steps.item<std::int64_t>();
      contents.epoch_loss_sum = loss_sum.item<double>();
    }
    torch::Tensor best_epoch, best_errors;  // absent in checkpoints from before model selection
    if (archive.try_read("best_epoch", best_epoch) && archive.try_read("best_errors", best_errors)) {
      contents.best.epoch = best_epoch.item<std::int64_t>();
      contents.best.validation_l2 = best_errors[0].item<double>();
      contents.best.test_l2 = best_errors[1].item<double>();
      contents.best.test_h1 = best_errors[2].item<double>();
    }
  } catch (const c10::Error& e) {
    OPFORGE_THROW(IoError, "cannot read checkpoint '", path, "': ", e.what_without_backtrace());
  }
  return contents;
}

void save_weights(const std::string& path, torch::nn::Module& model) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  atomic_save(archive, path);
}

}  // namespace opforge::train
