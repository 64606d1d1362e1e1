#include "opforge/train/models/fourier_layer.hpp"

#include <algorithm>
#include <sstream>

#include "opforge/core/error.hpp"
#include "opforge/train/models/fourier_stages.hpp"
#include "opforge/train/models/latent_grid.hpp"
#include "opforge/train/spectral/points_major.hpp"

namespace opforge::train {

namespace F = torch::nn::functional;
using torch::indexing::None;
using torch::indexing::Slice;

PointwiseLinearImpl::PointwiseLinearImpl(std::int64_t in, std::int64_t out) {
  // nn.Linear's default initialisation: U(-1/sqrt(in), 1/sqrt(in)).
  const double bound = 1.0 / std::sqrt(double(in));
  weight = register_parameter("weight", torch::empty({out, in}).uniform_(-bound, bound));
  bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
}

torch::Tensor PointwiseLinearImpl::forward(const torch::Tensor& x) {
  auto shape = x.sizes().vec();
  shape[1] = weight.size(0);
  if (x.dim() >= 3 && is_points_major(x)) {
    // Each point's [B, C] is contiguous: one [points x B, in] x [in, out]
    // GEMM from the bias, and the result is points-major too.
    const auto rows = points_major_memory(x);
    auto memory = rows.sizes().vec();
    memory.back() = weight.size(0);
    return points_major_view(torch::addmm(bias, rows.reshape({-1, x.size(1)}), weight.t()).view(memory));
  }
  // W [out, in] times each sample's [in, points] block plus the bias, as one
  // batched GEMM that starts from the bias (no separate pass to add it).
  const auto flat = x.reshape({x.size(0), x.size(1), -1});
  return torch::baddbmm(bias.view({1, -1, 1}), weight.expand({x.size(0), -1, -1}), flat).view(shape);
}

SpectralConvImpl::SpectralConvImpl(SpectralConvOptions o)
    : options(std::move(o)),
      backend_(make_spectral_backend(options.transform(), options.modes(), SpectralPhase::training)) {
  const auto d = options.modes().size();
  OPFORGE_CHECK(d >= 1 && d <= 4, UsageError, "spectral convolution: 1 to 4 dimensions, got ", d);
  const double scale = 1.0 / double(options.in_channels() * options.out_channels());
  std::vector<std::int64_t> shape{options.in_channels(), options.out_channels()};
  shape.insert(shape.end(), options.modes().begin(), options.modes().end());
  shape.push_back(2);
  const int corners = 1 << (d - 1);
  for (int c = 0; c < corners; ++c)
    weights.push_back(register_parameter("weights" + std::to_string(c + 1), scale * torch::rand(shape)));
}

void SpectralConvImpl::train(bool on) {
  if (on != is_training())
    backend_ = make_spectral_backend(options.transform(), options.modes(),
                                     on ? SpectralPhase::training : SpectralPhase::evaluation);
  torch::nn::Module::train(on);
}

torch::Tensor SpectralConvImpl::forward(const torch::Tensor& x) { return forward_plus(x, torch::Tensor()); }

torch::Tensor SpectralConvImpl::forward_plus(const torch::Tensor& x, const torch::Tensor& addend) {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  OPFORGE_CHECK(x.dim() == d + 2, UsageError, "spectral convolution: expects [batch, channels, ", d,
                " spatial axes], got ", x.dim(), " axes");
  const auto sizes = spatial_sizes(x);
  check_sizes(sizes);
  return mix_inverse_plus(backend_->forward(x), sizes, addend);
}

torch::Tensor SpectralConvImpl::mix_inverse_plus(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                                 const torch::Tensor& addend) {
  return backend_->inverse(backend_->mix(planes, weights), sizes, addend);
}

void SpectralConvImpl::check_sizes(const std::vector<std::int64_t>& sizes) const {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  for (std::int64_t a = 0; a < d; ++a) {
    const std::int64_t available = max_kept_modes(sizes[a], a + 1 == d);
    OPFORGE_CHECK(options.modes()[a] <= available, UsageError, "spectral convolution: ", options.modes()[a],
                  " modes on an axis of ", sizes[a], " points (at most ", available, ")");
  }
}

void parse_fourier_options(const config::Section& s, const ModelShape& shape, std::int64_t default_padding,
                           FourierLayerOptions& o) {
  const std::vector<std::int64_t> default_modes(static_cast<std::size_t>(shape.spatial_dims), 12);
  o.modes(s.get<std::vector<std::int64_t>>("modes", default_modes, config::at_least(1)));
  if (static_cast<std::int64_t>(o.modes().size()) != shape.spatial_dims)
    s.fail("modes", "needs one entry per spatial dimension (" + std::to_string(shape.spatial_dims) + ")");
  o.width(s.get<std::int64_t>("width", o.width(), config::at_least(1)));
  o.padding(parse_padding(s, shape.spatial_dims, default_padding));
  o.latent_grid(parse_latent_grid(s, o.modes(), o.padding()));
  o.projection(s.get<std::int64_t>("projection", o.projection(), config::at_least(1)));
  o.activation(s.choice("activation", {"gelu", "relu", "tanh"}, o.activation()));
  o.input_skip(s.get<bool>("input_skip", o.input_skip()));
  o.spectral_transform(s.choice("spectral_transform", spectral_transform_choices(), o.spectral_transform()));
  if (o.input_skip() && shape.in_channels != shape.out_channels)
    s.fail("input_skip", "needs as many input as output channels (" + std::to_string(shape.in_channels) + " vs " +
                             std::to_string(shape.out_channels) + ")");
  o.in_channels(shape.in_channels);
  o.out_channels(shape.out_channels);
}

std::string describe_list(const std::vector<std::int64_t>& values) {
  std::ostringstream out;
  out << "[";
  for (std::size_t a = 0; a < values.size(); ++a) out << (a ? "," : "") << values[a];
  out << "]";
  return out.str();
}

std::string describe_fourier_options(const FourierLayerOptions& o) {
  const std::string latent = o.latent_grid().empty() ? "" : " latent_grid=" + describe_list(o.latent_grid());
  return " padding=" + describe_list(o.padding()) + latent + " projection=" + std::to_string(o.projection()) + " " +
         o.activation() + (o.input_skip() ? " input_skip" : "") + " transform=" + o.spectral_transform();
}

SpectralConv make_fourier_layer(const FourierLayerOptions& o) {
  return SpectralConv(SpectralConvOptions(o.width(), o.width(), o.modes()).transform(o.spectral_transform()));
}

std::vector<std::int64_t> parse_padding(const config::Section& s, std::int64_t spatial_dims, std::int64_t fallback) {
  const auto dims = static_cast<std::size_t>(spatial_dims);
  if (!s.has("padding") || s.is_scalar("padding"))
    return std::vector<std::int64_t>(dims, s.get<std::int64_t>("padding", fallback, config::at_least(0)));
  auto padding = s.get<std::vector<std::int64_t>>("padding", {}, config::at_least(0));
  if (padding.size() != dims)
    s.fail("padding", "needs one entry per axis (" + std::to_string(spatial_dims) + ") or a single number");
  return padding;
}

torch::Tensor pad_end(const torch::Tensor& x, const std::vector<std::int64_t>& padding) {
  if (std::all_of(padding.begin(), padding.end(), [](std::int64_t p) { return p == 0; })) return x;
  // F::pad lists (left, right) pairs from the last axis backwards.
  std::vector<std::int64_t> amounts;
  for (auto p = padding.rbegin(); p != padding.rend(); ++p) amounts.insert(amounts.end(), {0, *p});
  return F::pad(x, F::PadFuncOptions(amounts));
}

torch::Tensor crop_end(const torch::Tensor& x, const std::vector<std::int64_t>& padding) {
  std::vector<torch::indexing::TensorIndex> crop{Slice(), Slice()};
  for (std::size_t a = 0; a < padding.size(); ++a)
    crop.emplace_back(Slice(None, x.size(static_cast<std::int64_t>(2 + a)) - padding[a]));
  return x.index(crop);
}

torch::Tensor grid_channels(const torch::Tensor& x, std::int64_t d) {
  std::vector<torch::Tensor> axes;
  for (std::int64_t a = 0; a < d; ++a) axes.push_back(torch::linspace(0.0, 1.0, x.size(2 + a), x.options()));
  auto mesh = torch::meshgrid(axes, "ij");
  std::vector<torch::Tensor> channels;
  for (auto& m : mesh) {
    std::vector<std::int64_t> shape{x.size(0), 1};
    for (std::int64_t a = 0; a < d; ++a) shape.push_back(x.size(2 + a));
    channels.push_back(m.unsqueeze(0).unsqueeze(0).expand(shape));
  }
  return torch::cat(channels, 1);
}

FourierModelImpl::FourierModelImpl() : stages_(std::make_shared<FourierStages>()) {}

void FourierModelImpl::register_lift(const FourierLayerOptions& o) {
  const auto d = static_cast<std::int64_t>(o.modes().size());
  lift = register_module("lift", PointwiseLinear(o.in_channels() + d, o.width()));
}

void FourierModelImpl::register_projection(const FourierLayerOptions& o) {
  project1 = register_module("project1", PointwiseLinear(o.width(), o.projection()));
  project2 = register_module("project2", PointwiseLinear(o.projection(), o.out_channels()));
}

void FourierModelImpl::train(bool on) {
  if (on != is_training()) stages_ = on ? std::make_shared<FourierStages>() : evaluation_stages();
  OperatorModelImpl::train(on);
}

std::string FourierModelImpl::spectral_backend() const {
  for (const auto& child : modules(false))
    if (const auto layer = std::dynamic_pointer_cast<SpectralConvImpl>(child)) return layer->backend().name();
  return {};
}

}  // namespace opforge::train
