#pragma once
/// @file
/// What the Fourier-layer models (FNO, IFNO) are built from: the pointwise
/// linear map, the spectral convolution K, their shared options, and the
/// base class that holds the execution choices (which spectral backend,
/// which implementation of the pointwise stages). Those are made once: at
/// construction for training, and by train(false) / eval() for evaluation
/// without autograd; the modules compute their forward pass one way.

#include <memory>
#include <string>
#include <vector>

#include "opforge/train/models/model.hpp"
#include "opforge/train/spectral/backend.hpp"

namespace opforge::train {

class FourierStages;

/// Pointwise (1x1) linear map over the channel axis of [B, C, spatial...]:
/// one batched GEMM on the contiguous [B, C, points] layout (no
/// channels-last copies); a points-major input gives a points-major result.
class PointwiseLinearImpl : public torch::nn::Module {
public:
  PointwiseLinearImpl(std::int64_t in, std::int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
};
TORCH_MODULE(PointwiseLinear);

struct SpectralConvOptions {
  SpectralConvOptions(std::int64_t in, std::int64_t out, std::vector<std::int64_t> modes)
      : in_channels_(in), out_channels_(out), modes_(std::move(modes)) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, out_channels);
  /// Fourier modes kept per spatial dimension (1 to 4 entries; the fourth is
  /// time in the space-time operators of LESnets).
  TORCH_ARG(std::vector<std::int64_t>, modes);
  /// `model.spectral_transform`: auto or a backend's name (backend.hpp).
  TORCH_ARG(std::string, transform) = "auto";
};

/// Spectral convolution: the truncated rFFT over the spatial axes, the
/// kept modes multiplied by learned complex weights (one tensor per corner
/// of the spectrum: 2^(d-1) of them), the inverse onto the field's grid.
/// The transforms and the mixing are the backend's (backend.hpp), chosen
/// from options.transform for the phase: training, or evaluation once
/// train(false) has been called.
class SpectralConvImpl : public torch::nn::Module {
public:
  explicit SpectralConvImpl(SpectralConvOptions options);
  torch::Tensor forward(const torch::Tensor& x);
  /// forward(x) + addend, the sum formed by the inverse transform (no
  /// separate pass; in evaluation a temporary addend may receive it).
  torch::Tensor forward_plus(const torch::Tensor& x, const torch::Tensor& addend);
  /// forward_plus from the planes of x: the mixing, the inverse transform
  /// onto `sizes` and the addend.
  torch::Tensor mix_inverse_plus(const torch::Tensor& planes, const std::vector<std::int64_t>& sizes,
                                 const torch::Tensor& addend);
  void train(bool on = true) override;
  SpectralBackend& backend() { return *backend_; }
  const SpectralBackend& backend() const { return *backend_; }
  /// Throws unless every axis of `sizes` has room for its modes.
  void check_sizes(const std::vector<std::int64_t>& sizes) const;
  SpectralConvOptions options;
  /// weights[c] has shape [in, out, modes..., 2] (real and imaginary parts).
  std::vector<torch::Tensor> weights;

private:
  std::shared_ptr<SpectralBackend> backend_;
};
TORCH_MODULE(SpectralConv);

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
  /// auto (dft in training, line_fft in evaluation), dft or fft.
  TORCH_ARG(std::string, spectral_transform) = "auto";
  TORCH_ARG(std::int64_t, in_channels) = 1;
  TORCH_ARG(std::int64_t, out_channels) = 1;
};

/// The keys FNO and IFNO share (modes, width, padding, latent_grid,
/// projection, activation, input_skip, spectral_transform), read from `s`
/// into `o`, whose values are the defaults; `default_padding` is the model's.
void parse_fourier_options(const config::Section& s, const ModelShape& shape, std::int64_t default_padding,
                           FourierLayerOptions& o);
/// " padding=... projection=... <activation>[ input_skip] transform=...": the
/// end of FNO's and IFNO's describe().
std::string describe_fourier_options(const FourierLayerOptions& o);
std::string describe_list(const std::vector<std::int64_t>& values);
/// The Fourier layer K of an FNO or IFNO (width -> width, its modes and transform).
SpectralConv make_fourier_layer(const FourierLayerOptions& o);

/// `padding:` of a model section: one number for every axis or a list with
/// one entry per axis.
std::vector<std::int64_t> parse_padding(const config::Section& section, std::int64_t spatial_dims,
                                        std::int64_t fallback);
/// Zeros appended at the end of each spatial axis of [B, C, spatial...], and their removal.
torch::Tensor pad_end(const torch::Tensor& x, const std::vector<std::int64_t>& padding);
torch::Tensor crop_end(const torch::Tensor& x, const std::vector<std::int64_t>& padding);
/// Grid coordinates linspace(0, 1, s) per spatial axis, as channels [B, d, spatial...].
torch::Tensor grid_channels(const torch::Tensor& x, std::int64_t spatial_dims);

/// A Fourier-layer model: the lifting P and the projection Q (two pointwise
/// maps with the activation between), and the stages' implementation for
/// the current phase (fourier_stages.hpp). Subclasses hold the layers.
class FourierModelImpl : public OperatorModelImpl {
public:
  FourierModelImpl();
  /// Also chooses the stages: the plain ones in training, the evaluation
  /// ones (fused kernels where the layout allows) otherwise.
  void train(bool on = true) override;
  std::string spectral_backend() const override;
  PointwiseLinear lift{nullptr};
  PointwiseLinear project1{nullptr}, project2{nullptr};

protected:
  /// The lifting, then (after the layers: the registration order is the
  /// parameters' order, and so the order of their random initialisation)
  /// the projection.
  void register_lift(const FourierLayerOptions& o);
  void register_projection(const FourierLayerOptions& o);
  FourierStages& stages() { return *stages_; }

private:
  std::shared_ptr<FourierStages> stages_;
};

}  // namespace opforge::train
