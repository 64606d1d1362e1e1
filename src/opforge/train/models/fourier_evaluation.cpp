/// @file
/// The evaluation stages of Fourier-layer models (fourier_stages.hpp): the
/// plain stages' functions computed without autograd by fused float32
/// kernels, in place on temporaries, in the points-major layout the line
/// FFTs keep from layer to layer. Why each exists, measured on a LESnets
/// call (width 8 on 21^3 x 12 frames, 2 cores): LibTorch's GELU 0.55 ms a
/// layer against the kernel's 0.32; three LibTorch passes for an IFNO
/// update 8-9 ms per iteration on 32^3; the projection-wide intermediate of
/// the head (42 MB at width 32) 19-53 ms whole against 15 ms in blocks.

#include <algorithm>
#include <optional>

#include "opforge/core/error.hpp"
#include "opforge/train/models/fourier_stages.hpp"
#include "opforge/train/models/latent_grid.hpp"
#include "opforge/train/spectral/points_major.hpp"
#include "opforge/train/spectral/pointwise_kernels.hpp"

namespace opforge::train {

namespace {

/// Whether the fused float kernels may take x: the exact GELU, float32 on
/// the CPU (each caller checks the layout its kernel reads).
bool fused_gelu_applies(const std::string& activation, const torch::Tensor& x) {
  return activation == "gelu" && x.scalar_type() == torch::kFloat32 && x.device().is_cpu() && x.dim() >= 3;
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

class EvaluationStages : public FourierStages {
public:
  torch::Tensor activation(const std::string& name, const torch::Tensor& x) override;
  std::pair<torch::Tensor, torch::Tensor> activate_then_skip(const std::string& activation, const torch::Tensor& x,
                                                             PointwiseLinearImpl& skip) override;
  torch::Tensor add_activated(torch::Tensor x, const torch::Tensor& update, double step,
                              const std::string& activation) override;
  FirstLayer first_layer(const FourierLayerOptions& o, PointwiseLinearImpl& lift, SpectralConvImpl& layer,
                         PointwiseLinearImpl& skip, const torch::Tensor& input, bool want_lifted) override;
  torch::Tensor project(PointwiseLinearImpl& first, PointwiseLinearImpl& second, const std::string& activation,
                        const torch::Tensor& hidden) override;
  torch::Tensor add_input(const torch::Tensor& y, const torch::Tensor& input) override;

private:
  /// The first layer of an input constant along its last axis (below).
  FirstLayer constant_input_first_layer(const FourierLayerOptions& o, PointwiseLinearImpl& lift,
                                        SpectralConvImpl& layer, PointwiseLinearImpl& skip,
                                        const torch::Tensor& input, bool want_lifted);
  /// g, its spectrum and W g for this input's grid, rebuilt when a weight,
  /// the grid or the dtype changes.
  void refresh_grid_terms(const FourierLayerOptions& o, PointwiseLinearImpl& lift, SpectralConvImpl& layer,
                          PointwiseLinearImpl& skip, const torch::Tensor& input, std::vector<std::int64_t> sizes);
  torch::Tensor grid_lifted_, grid_spectrum_, grid_skip_;
  WeightsKey key_;
  std::vector<std::int64_t> grid_sizes_;  ///< the input's sizes g was built for
};

torch::Tensor EvaluationStages::activation(const std::string& name, const torch::Tensor& x) {
  if (!fused_gelu_applies(name, x) || !x.is_non_overlapping_and_dense()) return FourierStages::activation(name, x);
  // A dense tensor in any layout (points-major too) is one run of storage,
  // and empty_like keeps its strides.
  auto activated = torch::empty_like(x);
  kernels::gelu(x.data_ptr<float>(), activated.data_ptr<float>(), x.numel());
  return activated;
}

std::pair<torch::Tensor, torch::Tensor> EvaluationStages::activate_then_skip(const std::string& name,
                                                                             const torch::Tensor& x,
                                                                             PointwiseLinearImpl& skip) {
  if (!fused_gelu_applies(name, x) || !is_points_major(x) || skip.weight.scalar_type() != torch::kFloat32)
    return FourierStages::activate_then_skip(name, x, skip);
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

torch::Tensor EvaluationStages::add_activated(torch::Tensor x, const torch::Tensor& update, double step,
                                              const std::string& name) {
  if (x.sizes() != update.sizes() || x.scalar_type() != update.scalar_type())
    return FourierStages::add_activated(x, update, step, name);
  if (!name.empty() && fused_gelu_applies(name, x) && x.is_non_overlapping_and_dense() &&
      x.strides() == update.strides()) {
    kernels::add_scaled_gelu(update.data_ptr<float>(), static_cast<float>(step), x.data_ptr<float>(), x.numel());
    return x;
  }
  return x.add_(name.empty() ? update : activation(name, update), step);
}

torch::Tensor EvaluationStages::add_input(const torch::Tensor& y, const torch::Tensor& input) {
  if (y.scalar_type() != torch::kFloat32 || input.scalar_type() != torch::kFloat32 || !y.is_contiguous() ||
      input.dim() < 3 || input.stride(-1) != 0 || y.sizes() != input.sizes())
    return FourierStages::add_input(y, input);
  const auto values = input.narrow(-1, 0, 1).contiguous();
  const auto ones = torch::ones({y.size(-1)}, y.options());
  auto sum = y;  // the projection's y is always a new tensor: added into in place
  kernels::add_outer(sum.data_ptr<float>(), values.data_ptr<float>(), ones.data_ptr<float>(), sum.data_ptr<float>(), 1,
                     values.numel(), y.size(-1));
  return sum;
}

torch::Tensor EvaluationStages::project(PointwiseLinearImpl& first, PointwiseLinearImpl& second,
                                        const std::string& name, const torch::Tensor& hidden) {
  const auto layout = fused_gelu_applies(name, hidden) ? point_layout(hidden) : std::nullopt;
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
  constexpr std::int64_t block = 16384;  // points: 2 MB of a 32-wide intermediate
  auto shape = hidden.sizes().vec();
  const auto points = hidden.numel() / (shape[0] * shape[1]);
  // Decide before flattening: a cropped hidden array is not contiguous, and
  // the reshape would copy it for nothing.
  if (points <= block) return FourierStages::project(first, second, name, hidden);
  const auto flat = hidden.reshape({shape[0], shape[1], points});
  std::vector<torch::Tensor> blocks;
  for (std::int64_t start = 0; start < points; start += block)
    blocks.push_back(FourierStages::project(first, second, name, flat.narrow(2, start, std::min(block, points - start))));
  shape[1] = second.weight.size(0);
  return torch::cat(blocks, 2).view(shape);
}

FourierStages::FirstLayer EvaluationStages::first_layer(const FourierLayerOptions& o, PointwiseLinearImpl& lift,
                                                        SpectralConvImpl& layer, PointwiseLinearImpl& skip,
                                                        const torch::Tensor& input, bool want_lifted) {
  OPFORGE_CHECK(!torch::GradMode::is_enabled(), UsageError,
                "a model in evaluation mode computes no gradients: call train() before differentiating it");
  return constant_along_last_axis(input, o.latent_grid()) ? constant_input_first_layer(o, lift, layer, skip, input, want_lifted)
                  : FourierStages::first_layer(o, lift, layer, skip, input, want_lifted);
}

void EvaluationStages::refresh_grid_terms(const FourierLayerOptions& o, PointwiseLinearImpl& lift,
                                          SpectralConvImpl& layer, PointwiseLinearImpl& skip,
                                          const torch::Tensor& input, std::vector<std::int64_t> sizes) {
  auto key = weights_key({lift.weight, lift.bias, skip.weight, skip.bias});
  if (grid_lifted_.defined() && key == key_ && sizes == grid_sizes_ && grid_lifted_.scalar_type() == input.scalar_type())
    return;
  std::vector<std::int64_t> zeros_shape{1, input.size(1)};
  zeros_shape.insert(zeros_shape.end(), sizes.begin(), sizes.end());
  const auto zeros = torch::zeros(zeros_shape, input.options());
  // g and W g points-major, the layout the sums are written in.
  grid_lifted_ =
      to_points_major(pad_end(lift.forward(torch::cat({zeros, grid_channels(zeros, input.dim() - 2)}, 1)), o.padding()));
  grid_spectrum_ = layer.backend().forward(grid_lifted_);
  grid_skip_ = skip.forward(grid_lifted_);
  key_ = std::move(key);
  grid_sizes_ = std::move(sizes);
}

/// The lifting and the first layer's K v + W v from the structure of the
/// input: v = (A u0) x profile + g, with g the lifting of the grid
/// coordinates and its bias, and `profile` 1 on the frames and 0 on the
/// padding. K v = K((A u0) x profile) + K g, whose first transform is
/// separable (SpectralBackend::forward_separable), and W v = (W A u0) x
/// profile + W g; g's transform and W g are cached until a weight changes.
/// Same function as lifting and applying the layer, up to rounding; on a
/// LESnets call it saves the layer's forward transform and the passes that
/// build v.
FourierStages::FirstLayer EvaluationStages::constant_input_first_layer(const FourierLayerOptions& o,
                                                                       PointwiseLinearImpl& lift,
                                                                       SpectralConvImpl& layer,
                                                                       PointwiseLinearImpl& skip,
                                                                       const torch::Tensor& input, bool want_lifted) {
  const auto d = input.dim() - 2;
  const auto batch = input.size(0), in = input.size(1), frames = input.size(-1);
  // u0 on the latent grid, one frame: [B, C_in, n_1, ..., 1].
  auto grid = o.latent_grid().empty() ? std::vector<std::int64_t>(static_cast<std::size_t>(d), 0) : o.latent_grid();
  grid.back() = 0;
  const auto u = resample_periodic(input.narrow(-1, 0, 1), grid);
  auto spatial_padding = o.padding();
  spatial_padding.back() = 0;
  const auto lift_u = [&](const torch::Tensor& weight, const torch::Tensor& x) {
    auto shape = x.sizes().vec();
    shape[1] = weight.size(0);
    return torch::matmul(weight, x.reshape({batch, x.size(1), -1})).view(shape);
  };
  const auto padded_u = pad_end(u, spatial_padding);
  const auto lift_weight = lift.weight.narrow(1, 0, in);  // A: the lifting of u0's channels
  auto profile = torch::zeros({frames + o.padding().back()}, input.options());
  profile.narrow(0, 0, frames).fill_(1.0);
  auto sizes = spatial_sizes(u);
  sizes.back() = frames;
  refresh_grid_terms(o, lift, layer, skip, input, sizes);
  const auto padded_sizes = spatial_sizes(grid_lifted_);
  layer.check_sizes(padded_sizes);
  // K (A u0 x profile): the spectrum of u0 x profile, its channels mixed by
  // A mode by mode (transforming u0's 3 channels instead of A u0's 8).
  auto spectrum = layer.backend().forward_separable(padded_u, profile);
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
  FirstLayer first;
  const auto skip_of_u = lift_u(skip.weight.mm(lift_weight), padded_u);  // W A u0
  first.sum = layer.mix_inverse_plus(spectrum, padded_sizes, outer_plus(grid_skip_, skip_of_u));
  if (want_lifted) first.lifted = outer_plus(grid_lifted_, lift_u(lift_weight, padded_u));
  return first;
}

}  // namespace

bool constant_along_last_axis(const torch::Tensor& input, const std::vector<std::int64_t>& latent) {
  return input.dim() >= 3 && input.size(-1) > 1 && input.stride(-1) == 0 &&
         (latent.empty() || latent.back() == 0 || latent.back() == input.size(-1));
}

std::shared_ptr<FourierStages> evaluation_stages() { return std::make_shared<EvaluationStages>(); }

}  // namespace opforge::train
