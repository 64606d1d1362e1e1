#include "opforge/train/models/fno.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>

#include "opforge/core/error.hpp"
#include "opforge/train/spectral/pointwise_kernels.hpp"

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
    : options(std::move(o)), spectrum_(options.modes(), options.transform()) {
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

torch::Tensor SpectralConvImpl::spectral_weights() const {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  // Corner c holds the high frequencies of axis a when bit a of c is set:
  // join low and high halves axis by axis.
  std::function<torch::Tensor(std::int64_t, std::size_t)> join = [&](std::int64_t axis, std::size_t corner) {
    if (axis + 1 >= d) return torch::view_as_complex(weights[corner]);
    return torch::cat({join(axis + 1, corner), join(axis + 1, corner | (std::size_t{1} << axis))}, 2 + axis);
  };
  return join(0, 0);
}

torch::Tensor SpectralConvImpl::per_mode_weights() const {
  return spectral_weights().reshape({options.in_channels(), options.out_channels(), -1}).permute({2, 0, 1});
}

WeightsKey weights_key(const std::vector<torch::Tensor>& weights) {
  WeightsKey key;
  for (const auto& w : weights) key.emplace_back(w.data_ptr(), w._version());
  return key;
}

torch::Tensor SpectralConvImpl::weight_planes() {
  const auto planes = [&] {
    const auto w = per_mode_weights();
    return torch::stack({torch::real(w), torch::imag(w)}).contiguous();
  };
  if (is_training()) {
    weight_planes_cache_ = torch::Tensor();  // training changes the weights: rebuild after it
    return planes();
  }
  auto key = weights_key(weights);
  if (!weight_planes_cache_.defined() || key != weight_planes_key_) {
    weight_planes_cache_ = planes();
    weight_planes_key_ = std::move(key);
  }
  return weight_planes_cache_;
}

torch::Tensor SpectralConvImpl::forward(const torch::Tensor& x) { return forward_plus(x, torch::Tensor()); }

torch::Tensor SpectralConvImpl::forward_plus(const torch::Tensor& x, const torch::Tensor& addend) {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  OPFORGE_CHECK(x.dim() == d + 2, UsageError, "spectral convolution: expects [batch, channels, ", d,
                " spatial axes], got ", x.dim(), " axes");
  const auto sizes = spatial_sizes(x);
  check_sizes(sizes);
  return mix_inverse_plus(spectrum_.forward_planes(x), sizes, addend);
}

void SpectralConvImpl::check_sizes(const std::vector<std::int64_t>& sizes) const {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  for (std::int64_t a = 0; a < d; ++a) {
    const std::int64_t available = max_kept_modes(sizes[a], a + 1 == d);
    OPFORGE_CHECK(options.modes()[a] <= available, UsageError, "spectral convolution: ", options.modes()[a],
                  " modes on an axis of ", sizes[a], " points (at most ", available, ")");
  }
}

torch::Tensor SpectralConvImpl::mix_inverse_plus(const torch::Tensor& x_ft, const std::vector<std::int64_t>& sizes,
                                                 const torch::Tensor& addend) {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  const auto batch = x_ft.size(d + 1), in = options.in_channels(), out = options.out_channels();
  auto mode_shape = x_ft.sizes().vec();  // [2, 2m_1, ..., m_d, B, in]
  mode_shape.back() = out;
  const auto modes = x_ft.numel() / (2 * batch * in);
  torch::Tensor out_ft;
  if (torch::GradMode::is_enabled()) {
    // "kbi,kio->kbo" as one batched complex product over the kept modes.
    const auto mixed = torch::bmm(torch::complex(x_ft[0], x_ft[1]).reshape({modes, batch, in}),
                                  per_mode_weights().contiguous());
    out_ft = torch::stack({torch::real(mixed), torch::imag(mixed)});
  } else {
    const auto weights = weight_planes();
    const auto input = x_ft.contiguous();
    out_ft = torch::empty(mode_shape, x_ft.options());
    AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "mix_mode_planes", [&] {
      const auto *x = input.data_ptr<scalar_t>(), *w = weights.data_ptr<scalar_t>();
      auto* y = out_ft.data_ptr<scalar_t>();
      at::parallel_for(0, modes, 256, [&](std::int64_t begin, std::int64_t end) {
        kernels::mix_mode_planes_range(x, w, y, modes, batch, in, out, begin, end);
      });
    });
  }
  return spectrum_.inverse_planes(out_ft.view(mode_shape), sizes, addend);
}

bool ConstantInputFirstLayer::applies(const torch::Tensor& input, const std::vector<std::int64_t>& latent_grid) {
  return !torch::GradMode::is_enabled() && input.dim() >= 3 && input.size(-1) > 1 && input.stride(-1) == 0 &&
         (latent_grid.empty() || latent_grid.back() == 0 || latent_grid.back() == input.size(-1));
}

ConstantInputFirstLayer::Result ConstantInputFirstLayer::operator()(
    const std::vector<std::int64_t>& latent_grid, const std::vector<std::int64_t>& padding, PointwiseLinearImpl& lift,
    SpectralConvImpl& layer, PointwiseLinearImpl& skip, const torch::Tensor& input, bool want_lifted) {
  const auto d = input.dim() - 2;
  const auto batch = input.size(0), in = input.size(1), frames = input.size(-1);
  // u0 on the latent grid, one frame: [B, C_in, n_1, ..., 1].
  auto grid = latent_grid.empty() ? std::vector<std::int64_t>(static_cast<std::size_t>(d), 0) : latent_grid;
  grid.back() = 0;
  const auto u = resample_periodic(input.narrow(-1, 0, 1), grid);
  auto spatial_padding = padding;
  spatial_padding.back() = 0;
  const auto lift_u = [&](const torch::Tensor& weight, const torch::Tensor& x) {
    auto shape = x.sizes().vec();
    shape[1] = weight.size(0);
    return torch::matmul(weight, x.reshape({batch, x.size(1), -1})).view(shape);
  };
  const auto padded_u = pad_end(u, spatial_padding);
  const auto lift_weight = lift.weight.narrow(1, 0, in);  // A: the lifting of u0's channels
  auto profile = torch::zeros({frames + padding.back()}, input.options());
  profile.narrow(0, 0, frames).fill_(1.0);

  auto sizes = spatial_sizes(u);
  sizes.back() = frames;
  auto key = weights_key({lift.weight, lift.bias, skip.weight, skip.bias});
  auto sizes_key = sizes;
  sizes_key.push_back(static_cast<std::int64_t>(input.scalar_type()));
  if (!grid_lifted_.defined() || key != key_ || sizes_key != sizes_key_) {
    std::vector<std::int64_t> zeros_shape{1, in};
    zeros_shape.insert(zeros_shape.end(), sizes.begin(), sizes.end());
    const auto zeros = torch::zeros(zeros_shape, input.options());
    // g and W g points-major, the layout the sums below are written in.
    grid_lifted_ = to_points_major(pad_end(lift.forward(torch::cat({zeros, grid_channels(zeros, d)}, 1)), padding));
    grid_spectrum_ = layer.spectrum().forward_planes(grid_lifted_);
    grid_skip_ = skip.forward(grid_lifted_);
    key_ = std::move(key);
    sizes_key_ = std::move(sizes_key);
  }
  const auto padded_sizes = spatial_sizes(grid_lifted_);
  layer.check_sizes(padded_sizes);
  // K (A u0 x profile): the spectrum of u0 x profile, its channels mixed by
  // A mode by mode (transforming u0's 3 channels instead of A u0's 8).
  auto spectrum = layer.spectrum().forward_planes_separable(padded_u, profile);
  auto spectrum_shape = spectrum.sizes().vec();
  spectrum_shape.back() = lift_weight.size(0);
  spectrum = torch::addmm(grid_spectrum_.expand(spectrum_shape).reshape({-1, spectrum_shape.back()}),
                          spectrum.reshape({-1, in}), lift_weight.t())
                 .view(spectrum_shape);
  // grid + base x profile, points-major (the layout of the line FFTs, kept
  // by the layers after this one): grid [points, frames, 1, C] (cached)
  // plus base [points, B, C] times profile [frames]. A broadcast addcmul
  // took six times as long.
  const auto outer_plus = [&](const torch::Tensor& grid_part, const torch::Tensor& base_part) {
    const auto base = points_major_memory(base_part).contiguous();
    auto sizes_of_sum = grid_part.sizes().vec();
    sizes_of_sum[0] = batch;
    auto sum = empty_points_major(sizes_of_sum, grid_part.options());
    AT_DISPATCH_FLOATING_TYPES(sum.scalar_type(), "add_outer_points_major", [&] {
      kernels::add_outer_points_major(grid_part.data_ptr<scalar_t>(), base.data_ptr<scalar_t>(),
                                      profile.data_ptr<scalar_t>(), sum.data_ptr<scalar_t>(),
                                      base.numel() / (batch * sum.size(1)), profile.size(0), batch, sum.size(1));
    });
    return sum;
  };
  Result result;
  const auto skip_of_u = lift_u(skip.weight.mm(lift_weight), padded_u);  // W A u0
  result.sum = layer.mix_inverse_plus(spectrum, padded_sizes, outer_plus(grid_skip_, skip_of_u));
  if (want_lifted) result.lifted = outer_plus(grid_lifted_, lift_u(lift_weight, padded_u));
  return result;
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

std::string describe_list(const std::vector<std::int64_t>& values) {
  std::ostringstream out;
  out << "[";
  for (std::size_t a = 0; a < values.size(); ++a) out << (a ? "," : "") << values[a];
  out << "]";
  return out.str();
}

namespace {

/// Whether the fused float kernels may take x: evaluation without autograd,
/// the exact GELU, float32 on the CPU (each caller checks the layout its
/// kernel reads).
bool fused_gelu_applies(const std::string& activation, const torch::Tensor& x) {
  return !torch::GradMode::is_enabled() && activation == "gelu" && x.scalar_type() == torch::kFloat32 &&
         x.device().is_cpu() && x.dim() >= 3;
}

/// x [B, C, axes...] as channels of points in runs along the last axis
/// (kernels::PointLayout), when its strides allow: contiguous or
/// points-major, either possibly with a cropped last axis.
std::optional<kernels::PointLayout> point_layout(const torch::Tensor& x) {
  kernels::PointLayout layout;
  layout.run_length = x.size(-1);
  layout.point_stride = x.stride(-1);
  layout.run_stride = x.dim() > 3 ? x.stride(-2) : x.size(-1) * x.stride(-1);
  std::int64_t expected = layout.run_stride;
  for (std::int64_t a = x.dim() - 2; a >= 2; --a) {
    if (x.stride(a) != expected) return std::nullopt;
    expected *= x.size(a);
  }
  // Runs of channels first (point stride 1) or of points-major points
  // (point stride B x C, channels 1 apart); a cropped last axis leaves gaps.
  const bool channels_first = layout.point_stride == 1;
  const bool points_major = x.stride(1) == 1 && layout.point_stride == x.size(0) * x.size(1);
  if (!(channels_first || points_major) || layout.run_stride < layout.run_length * layout.point_stride)
    return std::nullopt;
  layout.points = x.numel() / (x.size(0) * x.size(1));
  layout.channel_stride = x.stride(1);
  return layout;
}

}  // namespace

torch::Tensor activation_function(const std::string& name, const torch::Tensor& x) {
  if (name == "relu") return torch::relu(x);
  if (name == "tanh") return torch::tanh(x);
  if (!fused_gelu_applies(name, x) || !x.is_non_overlapping_and_dense()) return torch::gelu(x);
  // kernels::gelu: 0.32 ms on a LESnets layer, LibTorch's 0.55. A dense
  // tensor in any layout (points-major too) is one run of storage, and
  // empty_like keeps its strides.
  auto activated = torch::empty_like(x);
  kernels::gelu(x.data_ptr<float>(), activated.data_ptr<float>(), x.numel());
  return activated;
}

std::pair<torch::Tensor, torch::Tensor> activate_then_skip(const std::string& activation, const torch::Tensor& x,
                                                           PointwiseLinearImpl& skip) {
  if (!fused_gelu_applies(activation, x) || !is_points_major(x) || skip.weight.scalar_type() != torch::kFloat32) {
    auto activated = activation_function(activation, x);
    auto skipped = skip.forward(activated);
    return {std::move(activated), std::move(skipped)};
  }
  const auto weight = skip.weight.contiguous(), bias = skip.bias.contiguous();
  auto activated = empty_points_major(x.sizes().vec(), x.options());
  auto sizes = x.sizes().vec();
  sizes[1] = weight.size(0);
  auto skipped = empty_points_major(sizes, x.options());
  kernels::gelu_then_linear_rows(x.data_ptr<float>(), activated.data_ptr<float>(), weight.data_ptr<float>(),
                                 bias.data_ptr<float>(), skipped.data_ptr<float>(), x.numel() / x.size(1), x.size(1),
                                 weight.size(0));
  return {std::move(activated), std::move(skipped)};
}

torch::Tensor add_activated(torch::Tensor x, const torch::Tensor& update, double step,
                            const std::string& activation) {
  const auto activated = [&] { return activation.empty() ? update : activation_function(activation, update); };
  if (torch::GradMode::is_enabled() || x.sizes() != update.sizes() || x.scalar_type() != update.scalar_type())
    return x + step * activated();
  if (!activation.empty() && fused_gelu_applies(activation, x) && x.is_non_overlapping_and_dense() &&
      x.strides() == update.strides()) {
    kernels::add_scaled_gelu(update.data_ptr<float>(), static_cast<float>(step), x.data_ptr<float>(), x.numel());
    return x;
  }
  return x.add_(activated(), step);
}

torch::Tensor add_input(const torch::Tensor& y, const torch::Tensor& input) {
  if (torch::GradMode::is_enabled() || y.scalar_type() != torch::kFloat32 || input.scalar_type() != torch::kFloat32 ||
      !y.is_contiguous() || input.dim() < 3 || input.stride(-1) != 0 || y.sizes() != input.sizes())
    return y + input;
  const auto values = input.narrow(-1, 0, 1).contiguous();
  const auto ones = torch::ones({y.size(-1)}, y.options());
  auto sum = y;  // project_output's y is always a new tensor: added into in place
  kernels::add_outer(sum.data_ptr<float>(), values.data_ptr<float>(), ones.data_ptr<float>(), sum.data_ptr<float>(), 1,
                     values.numel(), y.size(-1));
  return sum;
}

torch::Tensor project(PointwiseLinearImpl& first, PointwiseLinearImpl& second, const std::string& activation,
                      const torch::Tensor& hidden) {
  const auto layout = fused_gelu_applies(activation, hidden) ? point_layout(hidden) : std::nullopt;
  if (layout && hidden.size(1) <= kernels::max_in && first.weight.size(0) <= kernels::max_hidden) {
    // One pass: the projection-wide intermediate stays in the kernel's blocks.
    const auto w1 = first.weight.contiguous(), b1 = first.bias.contiguous();
    const auto w2 = second.weight.contiguous(), b2 = second.bias.contiguous();
    auto shape = hidden.sizes().vec();
    shape[1] = w2.size(0);
    auto y = torch::empty(shape, hidden.options());
    const auto out = w2.size(0);
    for (std::int64_t b = 0; b < hidden.size(0); ++b)
      kernels::linear_gelu_linear(hidden.data_ptr<float>() + b * hidden.stride(0), hidden.size(1), *layout,
                                  w1.data_ptr<float>(), b1.data_ptr<float>(), w1.size(0), w2.data_ptr<float>(),
                                  b2.data_ptr<float>(), out, y.data_ptr<float>() + b * out * layout->points);
    return y;
  }
  const auto head = [&](const torch::Tensor& h) { return second.forward(activation_function(activation, first.forward(h))); };
  constexpr std::int64_t block = 16384;  // points: 2 MB of a 32-wide intermediate
  auto shape = hidden.sizes().vec();
  const auto points = hidden.numel() / (shape[0] * shape[1]);
  // Decide before flattening: a cropped hidden array is not contiguous, and
  // the reshape would copy it for nothing.
  if (torch::GradMode::is_enabled() || points <= block) return head(hidden);
  const auto flat = hidden.reshape({shape[0], shape[1], points});
  std::vector<torch::Tensor> blocks;
  for (std::int64_t start = 0; start < points; start += block)
    blocks.push_back(head(flat.narrow(2, start, std::min(block, points - start))));
  shape[1] = second.weight.size(0);
  return torch::cat(blocks, 2).view(shape);
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
  o.spectral_transform(
      parse_spectral_transform(s.choice("spectral_transform", {"dft", "fft"}, to_string(o.spectral_transform()))));
  if (o.input_skip() && shape.in_channels != shape.out_channels)
    s.fail("input_skip", "needs as many input as output channels (" + std::to_string(shape.in_channels) + " vs " +
                             std::to_string(shape.out_channels) + ")");
  o.in_channels(shape.in_channels);
  o.out_channels(shape.out_channels);
}

SpectralConv make_fourier_layer(const FourierLayerOptions& o) {
  return SpectralConv(SpectralConvOptions(o.width(), o.width(), o.modes()).transform(o.spectral_transform()));
}

std::string describe_fourier_options(const FourierLayerOptions& o) {
  const std::string latent = o.latent_grid().empty() ? "" : " latent_grid=" + describe_list(o.latent_grid());
  return " padding=" + describe_list(o.padding()) + latent + " projection=" + std::to_string(o.projection()) + " " +
         o.activation() + (o.input_skip() ? " input_skip" : "") + " transform=" + to_string(o.spectral_transform());
}

torch::Tensor lift_input(const FourierLayerOptions& o, PointwiseLinearImpl& lift, const torch::Tensor& input) {
  const auto x = resample_periodic(input, o.latent_grid());
  return pad_end(lift.forward(torch::cat({x, grid_channels(x, static_cast<std::int64_t>(o.modes().size()))}, 1)),
                 o.padding());
}

torch::Tensor project_output(const FourierLayerOptions& o, PointwiseLinearImpl& first, PointwiseLinearImpl& second,
                             const torch::Tensor& hidden, const torch::Tensor& input) {
  const auto y = resample_periodic(project(first, second, o.activation(), crop_end(hidden, o.padding())),
                                   spatial_sizes(input));
  return o.input_skip() ? add_input(y, input) : y;
}

FnoOptions FnoOptions::parse(const config::Section& s, const ModelShape& shape) {
  FnoOptions o;
  parse_fourier_options(s, shape, 9, o);
  o.layers(s.get<std::int64_t>("layers", o.layers(), config::at_least(1)));
  return o;
}

FnoImpl::FnoImpl(FnoOptions o) : options(std::move(o)) {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  lift = register_module("lift", PointwiseLinear(options.in_channels() + d, options.width()));
  for (std::int64_t l = 0; l < options.layers(); ++l) {
    spectral.push_back(register_module("spectral" + std::to_string(l), make_fourier_layer(options)));
    skip.push_back(register_module("skip" + std::to_string(l), PointwiseLinear(options.width(), options.width())));
  }
  project1 = register_module("project1", PointwiseLinear(options.width(), options.projection()));
  project2 = register_module("project2", PointwiseLinear(options.projection(), options.out_channels()));
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

torch::Tensor FnoImpl::forward(torch::Tensor x) {
  const auto d = static_cast<std::int64_t>(options.modes().size());
  OPFORGE_CHECK(x.dim() == d + 2, UsageError, "fno expects [batch, channels, ", d, " spatial axes], got ", x.dim(),
                " axes");
  const torch::Tensor input = x;
  if (ConstantInputFirstLayer::applies(input, options.latent_grid())) {
    x = constant_input_first_layer_(options.latent_grid(), options.padding(), *lift, *spectral[0], *skip[0], input,
                                    false).sum;
  } else {
    x = lift_input(options, *lift, input);
    x = spectral[0]->forward_plus(x, skip[0](x));
  }
  for (std::size_t l = 1; l < spectral.size(); ++l) {
    const auto [activated, skipped] = activate_then_skip(options.activation(), x, *skip[l]);
    x = spectral[l]->forward_plus(activated, skipped);
  }
  return project_output(options, *project1, *project2, x, input);
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
