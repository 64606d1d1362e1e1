#include "opforge/train/models/fno.hpp"

#include <sstream>

#include "opforge/core/error.hpp"
#include "opforge/train/models/fourier_stages.hpp"

namespace opforge::train {

FnoOptions FnoOptions::parse(const config::Section& s, const ModelShape& shape) {
  FnoOptions o;
  parse_fourier_options(s, shape, 9, o);
  o.layers(s.get<std::int64_t>("layers", o.layers(), config::at_least(1)));
  return o;
}

FnoImpl::FnoImpl(FnoOptions o) : options(std::move(o)) {
  register_lift(options);
  for (std::int64_t l = 0; l < options.layers(); ++l) {
    spectral.push_back(register_module("spectral" + std::to_string(l), make_fourier_layer(options)));
    skip.push_back(register_module("skip" + std::to_string(l), PointwiseLinear(options.width(), options.width())));
  }
  register_projection(options);
}

torch::Tensor FnoImpl::forward(torch::Tensor x) {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  OPFORGE_CHECK(x.dim() == d + 2, UsageError, "fno expects [batch, channels, ", d, " spatial axes], got ", x.dim(),
                " axes");
  const torch::Tensor input = x;
  x = stages().first_layer(options, *lift, *spectral[0], *skip[0], input, false).sum;
  for (std::size_t l = 1; l < spectral.size(); ++l) {
    const auto [activated, skipped] = stages().activate_then_skip(options.activation(), x, *skip[l]);
    x = spectral[l]->forward_plus(activated, skipped);
  }
  return stages().project_output(options, *project1, *project2, x, input);
}

std::string FnoImpl::describe() const {
  std::ostringstream out;
  out << "fno modes=" << describe_list(options.modes()) << " width=" << options.width() << " layers="
      << options.layers() << describe_fourier_options(options);
  return out.str();
}

std::unique_ptr<OperatorModelImpl> make_fno(const config::Section& section, const ModelShape& shape) {
  return std::make_unique<FnoImpl>(FnoOptions::parse(section, shape));
}

}  // namespace opforge::train
