#include "opforge/train/models/ifno.hpp"

#include <sstream>

#include "opforge/core/error.hpp"
#include "opforge/train/models/fourier_stages.hpp"

namespace opforge::train {

IfnoOptions IfnoOptions::parse(const config::Section& s, const ModelShape& shape) {
  IfnoOptions o;
  parse_fourier_options(s, shape, 0, o);
  o.iterations(s.get<std::int64_t>("iterations", o.iterations(), config::at_least(1)));
  return o;
}

IfnoImpl::IfnoImpl(IfnoOptions o) : options(std::move(o)) {
  register_lift(options);
  spectral = register_module("spectral", make_fourier_layer(options));
  skip = register_module("skip", PointwiseLinear(options.width(), options.width()));
  register_projection(options);
}

torch::Tensor IfnoImpl::forward(torch::Tensor x) {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  OPFORGE_CHECK(x.dim() == d + 2, UsageError, "ifno expects [batch, channels, ", d, " spatial axes], got ", x.dim(),
                " axes");
  const torch::Tensor input = x;
  const double step = 1.0 / double(options.iterations());
  // x is always this call's own tensor (the lifting's result, then each
  // update's), so the stages may add into it.
  const auto advance = [&](std::int64_t l, const torch::Tensor& update) {
    x = stages().add_activated(x, update, step, l + 1 < options.iterations() ? options.activation() : "");
  };
  auto first = stages().first_layer(options, *lift, *spectral, *skip, input, true);
  x = first.lifted;
  advance(0, first.sum);
  for (std::int64_t l = 1; l < options.iterations(); ++l) advance(l, spectral->forward_plus(x, skip(x)));
  return stages().project_output(options, *project1, *project2, x, input);
}

std::string IfnoImpl::describe() const {
  std::ostringstream out;
  out << "ifno modes=" << describe_list(options.modes()) << " width=" << options.width()
      << " iterations=" << options.iterations() << describe_fourier_options(options);
  return out.str();
}

std::unique_ptr<OperatorModelImpl> make_ifno(const config::Section& section, const ModelShape& shape) {
  return std::make_unique<IfnoImpl>(IfnoOptions::parse(section, shape));
}

}  // namespace opforge::train
