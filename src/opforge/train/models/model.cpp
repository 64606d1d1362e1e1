#include "opforge/train/models/model.hpp"

#include <exception>

#include "opforge/config/differences.hpp"

namespace opforge::train {

std::unique_ptr<OperatorModelImpl> make_fno(const config::Section& section, const ModelShape& shape);
std::unique_ptr<OperatorModelImpl> make_mgno(const config::Section& section, const ModelShape& shape);
std::unique_ptr<OperatorModelImpl> make_ifno(const config::Section& section, const ModelShape& shape);

const ModelRegistry& models() {
  static const ModelRegistry registry = [] {
    ModelRegistry r("model");
    r.add("fno", make_fno, "Fourier neural operator (Li et al. 2021), 1-3 spatial dimensions or space-time");
    r.add("ifno", make_ifno, "implicit FNO (LESnets): one shared Fourier layer iterated L times with step 1/L");
    r.add("mgno", make_mgno, "multigrid neural operator (He, Liu, Xu 2024), V-cycle layers, 1-3 spatial dimensions");
    return r;
  }();
  return registry;
}

std::shared_ptr<OperatorModelImpl> make_model(const config::Section& section, const ModelShape& shape) {
  const std::string type = section.choice("type", models().names());
  return std::shared_ptr<OperatorModelImpl>(models().create(type, section, shape));
}

std::string model_section_as_read(const std::string& config_yaml, const ModelShape& shape) {
  try {
    const auto stored = config::Document::parse(config_yaml, "the stored config");
    make_model(stored.root().section("model"), shape);
    return config::with_section(config_yaml, "model", stored.resolved_yaml());
  } catch (const std::exception&) {  // opforge's errors, and LibTorch's on a section it cannot build
    return config_yaml;
  }
}

std::int64_t count_parameters(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel() * (p.is_complex() ? 2 : 1);
  return count;
}

}  // namespace opforge::train
