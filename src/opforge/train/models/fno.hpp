#pragma once
/// @file
/// The Fourier neural operator (Li et al., ICLR 2021) in 1, 2 or 3 spatial
/// dimensions, as in the reference code's GELU + padding + grid version:
/// lifting (pointwise linear on the input channels and grid coordinates),
/// L Fourier layers u <- act(K u + W u) (no activation after the last),
/// projection (pointwise, width -> projection -> out). Parameter names are
/// documented in docs/models.md.

#include <vector>

#include "opforge/train/models/latent_grid.hpp"
#include "opforge/train/models/model.hpp"
#include "opforge/train/spectral/spectral_transform.hpp"

namespace opforge::train {

/// Pointwise (1x1) linear map over the channel axis of [B, C, spatial...],
/// computed as one batched GEMM on the contiguous [B, C, points] layout (no
/// channels-last copies).
class PointwiseLinearImpl : public torch::nn::Module {
public:
  PointwiseLinearImpl(std::int64_t in, std::int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
};
TORCH_MODULE(PointwiseLinear);

/// The storage and in-place version of each weight: a cache built from
/// them is stale once this changes (an optimiser step, a load).
using WeightsKey = std::vector<std::pair<const void*, std::int64_t>>;
WeightsKey weights_key(const std::vector<torch::Tensor>& weights);

struct SpectralConvOptions {
  SpectralConvOptions(std::int64_t in, std::int64_t out, std::vector<std::int64_t> modes)
      : in_channels_(in), out_channels_(out), modes_(std::move(modes)) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, out_channels);
  /// Fourier modes kept per spatial dimension (1 to 4 entries; the fourth is
  /// time in the space-time operators of LESnets).
  TORCH_ARG(std::vector<std::int64_t>, modes);
  /// How the kept modes are computed (the same function either way).
  TORCH_ARG(SpectralTransform, transform) = SpectralTransform::dft;
};

/// Spectral convolution: rFFT over the spatial axes, multiply the lowest
/// modes by learned complex weights (one tensor per corner of the spectrum:
/// 2^(d-1) of them), zero the rest, inverse rFFT. The rFFT and its inverse
/// are truncated transforms (spectral_transform.hpp) that only compute the
/// kept modes.
class SpectralConvImpl : public torch::nn::Module {
public:
  explicit SpectralConvImpl(SpectralConvOptions options);
  torch::Tensor forward(const torch::Tensor& x);
  /// forward(x) + addend, the sum formed by the inverse transform's last
  /// product (no separate pass). Without autograd a contiguous addend
  /// receives it in its storage: pass a temporary, such as the skip's output.
  torch::Tensor forward_plus(const torch::Tensor& x, const torch::Tensor& addend);
  /// forward_plus in its two halves: the truncated transform (spectrum()
  /// computes it), then the mixing of the modes, the inverse transform onto
  /// `sizes` and the addend.
  torch::Tensor mix_inverse_plus(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                 const torch::Tensor& addend);
  TruncatedSpectrum& spectrum() { return spectrum_; }
  /// Throws unless every axis of `sizes` has room for its modes.
  void check_sizes(const std::vector<std::int64_t>& sizes) const;
  SpectralConvOptions options;
  /// weights[c] has shape [in, out, modes..., 2] (real and imaginary parts).
  std::vector<torch::Tensor> weights;

private:
  /// The corner weights as one complex [in, out, 2m_1, ..., m_d] block, in
  /// the layout of the truncated spectrum.
  torch::Tensor spectral_weights() const;
  /// The same weights per mode, complex [modes, in, out] (a permuted view).
  torch::Tensor per_mode_weights() const;
  /// They again as real planes, [2, modes, in, out] contiguous, for
  /// evaluation without autograd. In eval mode the result is kept until a
  /// weight changes its storage or version: joining and transposing the
  /// corners copies every weight, a tenth of a LESnets call.
  torch::Tensor weight_planes();
  TruncatedSpectrum spectrum_;
  torch::Tensor weight_planes_cache_;
  WeightsKey weight_planes_key_;
};
TORCH_MODULE(SpectralConv);

/// The lifting and the first Fourier layer's sum K v + W v, computed from
/// the structure of an input that is constant along its last axis (the
/// roll-out's u0 repeated over the frames, passed as a broadcast view). The
/// lifted field is then v = (A u0) x profile + g, with g the lifting of the
/// grid coordinates and its bias, and `profile` 1 on the frames and 0 on
/// the padding. K v = K((A u0) x profile) + K g, whose first transform is
/// separable (TruncatedSpectrum::forward_planes_separable), and
/// W v = (W A u0) x profile + W g; g's transform and W g are cached until a
/// weight changes. Same function as lifting and applying the layer, up to
/// rounding; on a LESnets call it saves the layer's forward transform and
/// the passes that build v.
class ConstantInputFirstLayer {
public:
  /// Whether `input` qualifies: no autograd, a last axis of more than one
  /// point with stride 0 that the latent grid keeps as it is.
  static bool applies(const torch::Tensor& input, const std::vector<std::int64_t>& latent_grid);
  struct Result {
    /// Both points-major (the line FFTs' layout):
    torch::Tensor lifted;  ///< v, only when asked for (an iterated layer adds to it)
    torch::Tensor sum;     ///< K v + W v
  };
  Result operator()(const std::vector<std::int64_t>& latent_grid, const std::vector<std::int64_t>& padding,
                    PointwiseLinearImpl& lift, SpectralConvImpl& layer, PointwiseLinearImpl& skip,
                    const torch::Tensor& input, bool want_lifted);

private:
  torch::Tensor grid_lifted_, grid_spectrum_, grid_skip_;
  WeightsKey key_;
  std::vector<std::int64_t> sizes_key_;
};

/// What every Fourier-layer model (FNO, IFNO) is built from. Each default is
/// written once: here, or in parse_fourier_options where it depends on the
/// data (one mode count per axis) or on the model (padding).
struct FourierLayerOptions {
  /// Fourier modes kept per spatial axis (parse: 12 on each).
  TORCH_ARG(std::vector<std::int64_t>, modes);
  TORCH_ARG(std::int64_t, width) = 32;
  /// Zero padding appended at the end of each spatial axis (non-periodic
  /// data); 0 on periodic axes. Each model parses its own default.
  TORCH_ARG(std::vector<std::int64_t>, padding);
  /// Points per axis of the grid the layers run on (latent_grid.hpp); empty,
  /// or 0 on an axis: the data's grid.
  TORCH_ARG(std::vector<std::int64_t>, latent_grid) = {};
  TORCH_ARG(std::int64_t, projection) = 128;
  TORCH_ARG(std::string, activation) = "gelu";
  /// Add the input to the output (needs C_in = C_out): the operator learns
  /// the change from its input, e.g. u(t_k) - u0 in a space-time roll-out.
  TORCH_ARG(bool, input_skip) = false;
  TORCH_ARG(SpectralTransform, spectral_transform) = SpectralTransform::dft;
  TORCH_ARG(std::int64_t, in_channels) = 1;
  TORCH_ARG(std::int64_t, out_channels) = 1;
};

/// The FNO: `layers` Fourier layers, each with its own weights.
struct FnoOptions : FourierLayerOptions {
  static FnoOptions parse(const config::Section& section, const ModelShape& shape);
  TORCH_ARG(std::int64_t, layers) = 4;
};

class FnoImpl : public OperatorModelImpl {
public:
  explicit FnoImpl(FnoOptions options);
  torch::Tensor forward(torch::Tensor x) override;
  std::string describe() const override;
  FnoOptions options;
  PointwiseLinear lift{nullptr};
  std::vector<SpectralConv> spectral;
  std::vector<PointwiseLinear> skip;
  PointwiseLinear project1{nullptr}, project2{nullptr};

private:
  ConstantInputFirstLayer constant_input_first_layer_;
};
TORCH_MODULE(Fno);

/// Grid coordinates linspace(0, 1, s) per spatial axis, as channels [B, d, spatial...].
torch::Tensor grid_channels(const torch::Tensor& x, std::int64_t spatial_dims);

/// `padding:` of a model section: one number for every axis or a list with
/// one entry per axis.
std::vector<std::int64_t> parse_padding(const config::Section& section, std::int64_t spatial_dims,
                                        std::int64_t fallback);
/// Zeros appended at the end of each spatial axis of [B, C, spatial...], and their removal.
torch::Tensor pad_end(const torch::Tensor& x, const std::vector<std::int64_t>& padding);
torch::Tensor crop_end(const torch::Tensor& x, const std::vector<std::int64_t>& padding);
/// The keys FNO and IFNO share (modes, width, padding, latent_grid,
/// projection, activation, input_skip, spectral_transform), read from `s`
/// into `o`, whose values are the defaults; `default_padding` is the model's.
void parse_fourier_options(const config::Section& s, const ModelShape& shape, std::int64_t default_padding,
                           FourierLayerOptions& o);

/// gelu, relu or tanh by name. Without autograd the exact GELU on a
/// dense float32 tensor is kernels::gelu (0.32 ms on a LESnets layer,
/// LibTorch's 0.55).
torch::Tensor activation_function(const std::string& name, const torch::Tensor& x);
/// act(x) and skip(act(x)): a Fourier layer's input and skip. Without
/// autograd, for the exact GELU on a points-major float32 field, one pass
/// (kernels::gelu_then_linear_rows), both results points-major.
std::pair<torch::Tensor, torch::Tensor> activate_then_skip(const std::string& activation, const torch::Tensor& x,
                                                           PointwiseLinearImpl& skip);
/// x + step act(update), act by name or the identity for "": an iterated
/// layer's update. Without autograd x, a temporary the caller owns,
/// receives the sum in place; for the exact GELU on float32 in one pass
/// (kernels::add_scaled_gelu). The three LibTorch passes it replaces took
/// 8-9 ms of an IFNO call on 32^3 per iteration.
torch::Tensor add_activated(torch::Tensor x, const torch::Tensor& update, double step, const std::string& activation);
/// y + input; without autograd, an input constant along its last axis (a
/// broadcast view) is added into y in place by kernels::add_outer.
torch::Tensor add_input(const torch::Tensor& y, const torch::Tensor& input);
/// The projection head of FNO and IFNO, second(act(first(hidden))). Without
/// autograd it runs over blocks of points, so that its projection-wide
/// intermediate stays in cache (at width 32 a LESnets call's is 42 MB, and
/// computing it whole took 19-53 ms of a 90 ms call, 15 ms in blocks); for
/// the GELU on float32 the blocks are a fused kernel's
/// (kernels::linear_gelu_linear), which also reads a hidden state with a
/// cropped last axis in place.
torch::Tensor project(PointwiseLinearImpl& first, PointwiseLinearImpl& second, const std::string& activation,
                      const torch::Tensor& hidden);
std::string describe_list(const std::vector<std::int64_t>& values);

/// The Fourier layer K of an FNO or IFNO (width -> width, its modes and transform).
SpectralConv make_fourier_layer(const FourierLayerOptions& o);
/// " padding=... projection=... <activation>[ input_skip] transform=...": the
/// end of FNO's and IFNO's describe().
std::string describe_fourier_options(const FourierLayerOptions& o);
/// The input stage FNO and IFNO share: [B, C_in, data grid...] restricted
/// onto the latent grid, grid coordinates appended, lifted and padded.
torch::Tensor lift_input(const FourierLayerOptions& o, PointwiseLinearImpl& lift, const torch::Tensor& input);
/// The output stage they share: the hidden state cropped, projected,
/// interpolated back to the input's grid, and the input added (input_skip).
torch::Tensor project_output(const FourierLayerOptions& o, PointwiseLinearImpl& first, PointwiseLinearImpl& second,
                             const torch::Tensor& hidden, const torch::Tensor& input);

}  // namespace opforge::train
