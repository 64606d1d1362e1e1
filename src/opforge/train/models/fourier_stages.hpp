#pragma once
/// @file
/// How the stages of a Fourier-layer model around its transforms are
/// computed: the activation, a layer's input and skip, an iterated layer's
/// update, the first layer, the projection. The models call these and
/// nothing else for those stages, so each model has one forward path; the
/// implementation is chosen once per phase (FourierModelImpl::train):
/// - FourierStages itself, plain LibTorch operations that autograd tracks:
///   training, and the reference in the tests;
/// - evaluation_stages(), for evaluation without autograd: the same
///   functions with fused float32 kernels (pointwise_kernels.hpp), in place
///   on temporaries, in the points-major layout of the line FFTs, and the
///   first layer computed from the structure of an input constant along its
///   last axis. Where a layout or dtype does not suit a kernel, its plain
///   stage runs.

#include <memory>
#include <string>
#include <utility>

#include "opforge/train/models/fourier_layer.hpp"

namespace opforge::train {

class FourierStages {
public:
  virtual ~FourierStages() = default;

  /// gelu, relu or tanh by name.
  virtual torch::Tensor activation(const std::string& name, const torch::Tensor& x);
  /// act(x) and skip(act(x)): a Fourier layer's input and skip.
  virtual std::pair<torch::Tensor, torch::Tensor> activate_then_skip(const std::string& activation,
                                                                     const torch::Tensor& x,
                                                                     PointwiseLinearImpl& skip);
  /// x + step act(update), act by name or the identity for "": an iterated
  /// layer's update. x is a temporary the caller owns (evaluation may add
  /// into it).
  virtual torch::Tensor add_activated(torch::Tensor x, const torch::Tensor& update, double step,
                                      const std::string& activation);
  struct FirstLayer {
    torch::Tensor lifted;  ///< v, the lifted input (only when asked for)
    torch::Tensor sum;     ///< K v + W v
  };
  /// The input stage and the first layer: v = P [input on the latent grid,
  /// grid coordinates], padded; then K v + W v.
  virtual FirstLayer first_layer(const FourierLayerOptions& o, PointwiseLinearImpl& lift, SpectralConvImpl& layer,
                                 PointwiseLinearImpl& skip, const torch::Tensor& input, bool want_lifted);
  /// The output stage: the hidden state cropped, projected by
  /// second(act(first(.))), interpolated back to the input's grid, and the
  /// input added (input_skip).
  virtual torch::Tensor project_output(const FourierLayerOptions& o, PointwiseLinearImpl& first,
                                       PointwiseLinearImpl& second, const torch::Tensor& hidden,
                                       const torch::Tensor& input);
  /// second(act(first(hidden))).
  virtual torch::Tensor project(PointwiseLinearImpl& first, PointwiseLinearImpl& second,
                                const std::string& activation, const torch::Tensor& hidden);
  /// y + input (y is the projection's new tensor).
  virtual torch::Tensor add_input(const torch::Tensor& y, const torch::Tensor& input);
};

/// Whether the evaluation stages compute the first layer from the input's
/// structure: constant along a last axis of more than one point (stride 0:
/// the roll-out's u0 repeated over the frames) that the latent grid keeps.
bool constant_along_last_axis(const torch::Tensor& input, const std::vector<std::int64_t>& latent_grid);

/// The evaluation stages (fourier_evaluation.cpp); each call needs autograd off.
std::shared_ptr<FourierStages> evaluation_stages();

}  // namespace opforge::train
