#include "opforge/train/loop/forecast.hpp"

#include <vector>

namespace opforge::train {

torch::Tensor forecast(OperatorModelImpl& model, const Normalizer& normalizer, const OperatorData& data,
                       const torch::Tensor& x, std::int64_t calls) {
  auto call = [&](const torch::Tensor& input) { return normalizer.decode_output(model.forward(normalizer.encode_input(input))); };
  if (!data.autoregressive()) return call(x);
  const std::int64_t channels = data.shape().out_channels;
  std::vector<torch::Tensor> frames;
  torch::Tensor window = x;  // [B, T_in C, s...], frame-major
  for (std::int64_t k = 0; k < calls; ++k) {
    frames.push_back(call(window));
    if (k + 1 < calls)
      window = torch::cat({window.narrow(1, channels, window.size(1) - channels), frames.back()}, 1);
  }
  return torch::stack(frames, -1);
}

}  // namespace opforge::train
