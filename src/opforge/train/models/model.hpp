#pragma once
/// @file
/// Neural operators: modules mapping [B, C_in, spatial...] to
/// [B, C_out, spatial...], registered by name (`model.type:`). Includes torch:
/// only training code includes this header.

#include <torch/torch.h>

#include <memory>
#include <string>

#include "opforge/config/config.hpp"
#include "opforge/core/registry.hpp"

namespace opforge::train {

/// What every model is built from besides its own options.
struct ModelShape {
  std::int64_t in_channels = 1;
  std::int64_t out_channels = 1;
  std::int64_t spatial_dims = 2;
};

class OperatorModelImpl : public torch::nn::Module {
public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  /// One line for logs and provenance.
  virtual std::string describe() const = 0;
  /// The spectral backend the model's Fourier layers run on in its current
  /// phase (train() or eval()); empty for a model without them.
  virtual std::string spectral_backend() const { return {}; }
};

/// Real parameters, complex weights counted twice (as the FNO code does).
std::int64_t count_parameters(const torch::nn::Module& module);

using ModelRegistry = Registry<OperatorModelImpl, const config::Section&, const ModelShape&>;
const ModelRegistry& models();
std::shared_ptr<OperatorModelImpl> make_model(const config::Section& section, const ModelShape& shape);

/// A stored config (a checkpoint's) with its model section as this version
/// reads it: a key added since it was written takes its default, which keeps
/// the behaviour from before the key. A section this version refuses comes
/// back as stored, so that comparing it names its keys.
std::string model_section_as_read(const std::string& config_yaml, const ModelShape& shape);

}  // namespace opforge::train
