#include "opforge/train/models/fourier_stages.hpp"

#include "opforge/train/models/latent_grid.hpp"

namespace opforge::train {

torch::Tensor FourierStages::activation(const std::string& name, const torch::Tensor& x) {
  if (name == "relu") return torch::relu(x);
  if (name == "tanh") return torch::tanh(x);
  return torch::gelu(x);
}

std::pair<torch::Tensor, torch::Tensor> FourierStages::activate_then_skip(const std::string& name,
                                                                          const torch::Tensor& x,
                                                                          PointwiseLinearImpl& skip) {
  auto activated = activation(name, x);
  auto skipped = skip.forward(activated);
  return {std::move(activated), std::move(skipped)};
}

torch::Tensor FourierStages::add_activated(torch::Tensor x, const torch::Tensor& update, double step,
                                           const std::string& name) {
  return x + step * (name.empty() ? update : activation(name, update));
}

FourierStages::FirstLayer FourierStages::first_layer(const FourierLayerOptions& o, PointwiseLinearImpl& lift,
                                                     SpectralConvImpl& layer, PointwiseLinearImpl& skip,
                                                     const torch::Tensor& input, bool want_lifted) {
  const auto x = resample_periodic(input, o.latent_grid());
  const auto lifted =
      pad_end(lift.forward(torch::cat({x, grid_channels(x, static_cast<std::int64_t>(o.modes().size()))}, 1)),
              o.padding());
  FirstLayer first;
  first.sum = layer.forward_plus(lifted, skip.forward(lifted));
  if (want_lifted) first.lifted = lifted;
  return first;
}

torch::Tensor FourierStages::project_output(const FourierLayerOptions& o, PointwiseLinearImpl& first,
                                            PointwiseLinearImpl& second, const torch::Tensor& hidden,
                                            const torch::Tensor& input) {
  const auto y = resample_periodic(project(first, second, o.activation(), crop_end(hidden, o.padding())),
                                   spatial_sizes(input));
  return o.input_skip() ? add_input(y, input) : y;
}

torch::Tensor FourierStages::project(PointwiseLinearImpl& first, PointwiseLinearImpl& second,
                                     const std::string& name, const torch::Tensor& hidden) {
  return second.forward(activation(name, first.forward(hidden)));
}

torch::Tensor FourierStages::add_input(const torch::Tensor& y, const torch::Tensor& input) { return y + input; }

}  // namespace opforge::train
