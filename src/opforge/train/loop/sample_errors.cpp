#include "opforge/train/loop/sample_errors.hpp"

#include <algorithm>
#include <numeric>

#include "opforge/core/communicator.hpp"
#include "opforge/train/loop/forecast.hpp"

namespace opforge::train {

SampleErrors relative_errors(const Communicator& comm, OperatorModelImpl& model, OperatorData& data,
                             const Normalizer& normalizer, const std::vector<std::int64_t>& indices,
                             std::vector<torch::Tensor>* predictions) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  SampleErrors errors;
  for (std::size_t k = static_cast<std::size_t>(comm.rank()); k < indices.size(); k += static_cast<std::size_t>(comm.size()))
    errors.indices.push_back(indices[k]);
  const auto& mine = errors.indices;
  for (std::size_t start = 0; start < mine.size(); start += 20) {
    const std::vector<std::int64_t> chunk(mine.begin() + static_cast<long>(start),
                                          mine.begin() + static_cast<long>(std::min(mine.size(), start + 20)));
    const auto [x, y] = data.batch(chunk);
    const auto prediction = forecast(model, normalizer, data, x, data.predicted_frames());
    // An autoregressive roll-out [B, C, s..., T]: H1 over space, the frames as channels.
    auto spatial = [&](const torch::Tensor& t) { return data.autoregressive() ? t.movedim(-1, 2).flatten(1, 2) : t; };
    const auto l2 = relative_l2(prediction, y), h1 = relative_h1(spatial(prediction), spatial(y));
    for (std::int64_t i = 0; i < l2.size(0); ++i) {
      errors.l2.push_back(l2[i].item<double>());
      errors.h1.push_back(h1[i].item<double>());
    }
    if (predictions)
      for (std::int64_t i = 0; i < prediction.size(0); ++i) predictions->push_back(prediction[i].contiguous());
  }
  // The mode it found: each switch rebuilds the layers' spectral backends.
  if (was_training) model.train();
  return errors;
}

double mean_over_ranks(const Communicator& comm, const std::vector<double>& values, std::int64_t total) {
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  return comm.allreduce(sum, ReduceOp::sum) / double(total);
}

std::vector<std::int64_t> range(std::int64_t begin, std::int64_t end) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(end - begin));
  std::iota(out.begin(), out.end(), begin);
  return out;
}

}  // namespace opforge::train
