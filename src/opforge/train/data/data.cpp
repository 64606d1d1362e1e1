#include "opforge/train/data/data.hpp"

#include <algorithm>
#include <limits>

#include "opforge/core/error.hpp"

namespace opforge::train {

using torch::indexing::Slice;

DataOptions DataOptions::parse(const config::Section& s) {
  DataOptions o;
  o.path = s.require<std::string>("path");
  const auto train = s.require<std::vector<std::int64_t>>("train", config::non_negative());
  const auto test = s.require<std::vector<std::int64_t>>("test", config::non_negative());
  if (train.size() != 2 || train[0] >= train[1]) s.fail("train", "expected an index range [begin, end) with begin < end");
  if (test.size() != 2 || test[0] >= test[1]) s.fail("test", "expected an index range [begin, end) with begin < end");
  const auto validation = s.get<std::vector<std::int64_t>>("validation", {}, config::non_negative());
  if (!validation.empty() && (validation.size() != 2 || validation[0] >= validation[1]))
    s.fail("validation", "expected an index range [begin, end) with begin < end");
  auto overlaps = [&](const std::vector<std::int64_t>& other) {
    return !other.empty() && other[0] < train[1] && train[0] < other[1];
  };
  if (overlaps(test)) s.fail("test", "overlaps the training range: the test error would measure memorisation");
  if (overlaps(validation)) s.fail("validation", "overlaps the training range");
  if (!validation.empty()) {
    o.validation_begin = validation[0];
    o.validation_end = validation[1];
  }
  o.train_begin = train[0];
  o.train_end = train[1];
  o.test_begin = test[0];
  o.test_end = test[1];
  o.stride = s.get<std::int64_t>("stride", 1, config::at_least(1));
  o.normalize = s.get<bool>("normalize", true);
  o.cache = s.get<bool>("cache", true);
  o.protocol = s.choice("protocol", {"space_time", "autoregressive"}, o.protocol);
  if (o.protocol == "autoregressive") {
    if (s.has("frames")) s.fail("frames", "applies to protocol: space_time; autoregressive uses input_frames");
    o.input_frames = s.get<std::int64_t>("input_frames", o.input_frames, config::at_least(1));
    o.predicted_frames = s.get<std::int64_t>("predicted_frames", 0, config::at_least(1));
    o.train_rollout = s.get<std::int64_t>("train_rollout", 0, config::at_least(1));
  } else {
    for (const char* key : {"predicted_frames", "train_rollout"})
      if (s.has(key)) s.fail(key, "applies to protocol: autoregressive");
    o.frames = s.get<std::int64_t>("frames", 0, config::at_least(0));
    o.input_frames = s.get<std::int64_t>("input_frames", 1, config::at_least(1));
  }
  o.section = s;
  return o;
}

OperatorData::OperatorData(const DataOptions& options) : options_(options), reader_(options.path) {
  // A mismatch between the config and the file: located at the key when the config is known.
  auto fail = [&](const std::string& key, const std::string& message) {
    if (options.section) options.section->fail(key, message);
    OPFORGE_THROW(UsageError, "data.", key, ": ", message);
  };
  const auto n = reader_.layout().num_samples;
  auto check_range = [&](const char* key, std::int64_t end) {
    if (end > n)
      fail(key, "ends at sample " + std::to_string(end) + ", but '" + options.path + "' has " + std::to_string(n));
  };
  check_range("train", options.train_end);
  check_range("test", options.test_end);
  check_range("validation", options.validation_end);
  const std::int64_t steps = reader_.layout().time_steps;
  if (options.protocol == "autoregressive") {
    check_autoregressive();
    return;
  }
  if (steps == 0 && options.frames > 0)
    fail("frames", "'" + options.path + "' has no time axis; frames applies to trajectory datasets");
  if (steps == 0 && options.input_frames > 1)
    fail("input_frames", "'" + options.path + "' has no time axis; input_frames applies to trajectory datasets");
  // The window is /input and the first input_frames - 1 stored frames; the
  // frames predicted come after it.
  input_frames_ = steps == 0 ? 1 : options.input_frames;
  const std::int64_t after_window = steps - (input_frames_ - 1);
  if (steps > 0 && after_window < 1)
    fail("input_frames", std::to_string(input_frames_) + " input frames leave none to predict: '" + options.path +
                             "' stores " + std::to_string(steps) + " after /input");
  if (options.frames > after_window)
    fail("frames", std::to_string(options.frames) + " frames per call" +
                       (input_frames_ > 1 ? " after " + std::to_string(input_frames_) + " input frames" : "") +
                       ", but '" + options.path + "' stores " + std::to_string(steps));
  frames_ = steps == 0 ? 0 : options.frames > 0 ? options.frames : std::min<std::int64_t>(10, after_window);
  OPFORGE_CHECK(steps == 0 || reader_.layout().input_channels.size() == reader_.layout().output_channels.size(),
                UsageError, "data: '", options.path, "': a trajectory dataset needs as many input as output channels");
}

void OperatorData::check_autoregressive() {
  const auto& layout = reader_.layout();
  auto fail = [&](const std::string& key, const std::string& message) {
    if (options_.section) options_.section->fail(key, message);
    OPFORGE_THROW(UsageError, "data.", key, ": ", message);
  };
  if (layout.time_steps == 0)
    fail("protocol", "'" + options_.path + "' has no time axis; autoregressive applies to trajectory datasets");
  if (layout.input_channels.size() != layout.output_channels.size())
    fail("protocol", "'" + options_.path + "': a trajectory dataset needs as many input as output channels");
  input_frames_ = options_.input_frames;
  const std::int64_t available = layout.time_steps - input_frames_;
  if (available < 1)
    fail("input_frames", std::to_string(input_frames_) + " input frames leave none to predict: '" + options_.path +
                             "' stores " + std::to_string(layout.time_steps));
  predicted_frames_ = options_.predicted_frames > 0 ? options_.predicted_frames : available;
  if (predicted_frames_ > available)
    fail("predicted_frames", std::to_string(input_frames_) + " + " + std::to_string(predicted_frames_) +
                                 " frames, but '" + options_.path + "' stores " + std::to_string(layout.time_steps));
  train_rollout_ = options_.train_rollout > 0 ? options_.train_rollout : predicted_frames_;
  if (train_rollout_ > predicted_frames_)
    fail("train_rollout", "exceeds predicted_frames (" + std::to_string(predicted_frames_) + ")");
  autoregressive_ = true;
}

ModelShape OperatorData::shape() const {
  const auto& layout = reader_.layout();
  if (autoregressive_) {
    const auto channels = static_cast<std::int64_t>(layout.output_channels.size());
    return {input_frames_ * channels, channels, static_cast<std::int64_t>(layout.spatial_shape.size())};
  }
  return {input_frames_ * static_cast<std::int64_t>(layout.input_channels.size()),
          static_cast<std::int64_t>(layout.output_channels.size()),
          static_cast<std::int64_t>(layout.spatial_shape.size()) + (frames_ > 0 ? 1 : 0)};
}

namespace {
/// Every stride-th point of the trailing `axes` axes.
torch::Tensor subsample(const torch::Tensor& t, std::size_t axes, std::int64_t stride) {
  if (stride == 1) return t;
  std::vector<torch::indexing::TensorIndex> sub(static_cast<std::size_t>(t.dim()) - axes, Slice());
  for (std::size_t a = 0; a < axes; ++a) sub.emplace_back(Slice(torch::indexing::None, torch::indexing::None, stride));
  return t.index(sub).contiguous();
}
}  // namespace

torch::Tensor OperatorData::prepare_input(const torch::Tensor& stored) const {
  return subsample(stored, reader_.layout().spatial_shape.size(), options_.stride);
}

torch::Tensor OperatorData::prepare_output(const torch::Tensor& stored, bool all_frames) const {
  torch::Tensor y = subsample(stored, reader_.layout().spatial_shape.size(), options_.stride);
  if (autoregressive_) y = y.narrow(0, 0, input_frames_ + predicted_frames_).contiguous();  // [T_in + T, C, s...]
  if (frames_ > 0)  // [C, s..., K]: the K frames after the input window (all_frames: every stored frame)
    y = (all_frames ? y : y.narrow(0, input_frames_ - 1, frames_)).movedim(0, -1).contiguous();
  return y;
}

torch::Tensor OperatorData::read_input(std::int64_t index) {
  if (auto cached = input_cache_.find(index); cached != input_cache_.end()) return cached->second;
  torch::Tensor x = torch::empty(reader_.layout().input_sample_shape(), torch::kFloat32);
  reader_.read_inputs({index}, x.data_ptr<float>());
  torch::Tensor frames;
  if (input_frames_ > 1 && !autoregressive_) {
    frames = torch::empty(reader_.layout().output_sample_shape(), torch::kFloat32);
    reader_.read_outputs({index}, frames.data_ptr<float>());
  }
  x = input_window(x, frames);
  if (options_.cache) input_cache_.emplace(index, x);
  return x;
}

torch::Tensor OperatorData::input_window(const torch::Tensor& stored_input, const torch::Tensor& stored_output) const {
  const torch::Tensor x = prepare_input(stored_input);
  if (input_frames_ <= 1 || autoregressive_) return x;
  const torch::Tensor earlier = prepare_input(stored_output.narrow(0, 0, input_frames_ - 1));  // [T_in - 1, C, s...]
  return torch::cat({x.unsqueeze(0), earlier}).flatten(0, 1);  // [T_in C, s...], frame-major
}

torch::Tensor OperatorData::read_output(std::int64_t index, bool all_frames) {
  if (auto cached = output_cache_.find(index); cached != output_cache_.end() && !all_frames) return cached->second;
  torch::Tensor y = torch::empty(reader_.layout().output_sample_shape(), torch::kFloat32);
  reader_.read_outputs({index}, y.data_ptr<float>());
  y = prepare_output(y, all_frames);
  if (options_.cache && !all_frames) output_cache_.emplace(index, y);
  return y;
}

void OperatorData::put(std::int64_t key, const std::vector<double>& input, const std::vector<double>& output) {
  OPFORGE_CHECK(key >= reader_.layout().num_samples, InternalError, "streamed sample key ", key,
                " collides with the file's samples");
  const auto& layout = reader_.layout();
  auto stored = [](const std::vector<double>& values, std::vector<std::int64_t> shape) {
    return torch::from_blob(const_cast<double*>(values.data()), shape, torch::kFloat64).to(torch::kFloat32);
  };
  input_cache_.insert_or_assign(
      key, input_window(stored(input, layout.input_sample_shape()), stored(output, layout.output_sample_shape())));
  output_cache_.insert_or_assign(key, prepare_output(stored(output, layout.output_sample_shape()), false));
}

std::pair<torch::Tensor, torch::Tensor> OperatorData::window(std::int64_t index, std::int64_t start,
                                                             std::int64_t count) {
  const torch::Tensor frames = read_output(index, false);  // [T_in + T, C, s...]
  return {frames.narrow(0, start, input_frames_).flatten(0, 1),
          frames.narrow(0, start + input_frames_, count).movedim(0, -1).contiguous()};
}

torch::Tensor OperatorData::model_input(const torch::Tensor& initial, bool materialize) const {
  if (frames_ == 0) return initial;
  std::vector<std::int64_t> shape = initial.sizes().vec();
  shape.push_back(frames_);
  const auto repeated = initial.unsqueeze(-1).expand(shape);
  return materialize ? repeated.contiguous() : repeated;
}

torch::Tensor OperatorData::inputs(const std::vector<std::int64_t>& indices) {
  if (autoregressive_) return batch(indices).first;
  std::vector<torch::Tensor> inputs;
  for (const std::int64_t index : indices) inputs.push_back(read_input(index));
  if (inputs.empty()) {
    auto shape = reader_.layout().input_sample_shape();
    shape[0] *= input_frames_;
    for (std::size_t a = 1; a < shape.size(); ++a) shape[a] = (shape[a] + options_.stride - 1) / options_.stride;
    shape.insert(shape.begin(), 0);
    return model_input(torch::empty(shape));
  }
  return model_input(torch::stack(inputs));
}

std::pair<torch::Tensor, torch::Tensor> OperatorData::batch(const std::vector<std::int64_t>& indices) {
  if (autoregressive_) {
    std::vector<std::int64_t> examples;
    for (const std::int64_t index : indices) examples.push_back(index * windows_per_sample());
    return windows(examples, predicted_frames_);
  }
  std::vector<torch::Tensor> outputs;
  for (const std::int64_t index : indices) outputs.push_back(read_output(index, false));
  const torch::Tensor x = inputs(indices);
  if (outputs.empty()) {
    auto shape = x.sizes().vec();
    shape[1] = static_cast<std::int64_t>(reader_.layout().output_channels.size());
    return {x, torch::empty(shape)};
  }
  return {x, torch::stack(outputs)};
}

void OperatorData::preload(const std::vector<std::int64_t>& indices, bool labels) {
  if (!options_.cache) return;
  for (const std::int64_t index : indices) {
    if (!autoregressive_) read_input(index);
    if (labels || autoregressive_) read_output(index, false);
  }
}

std::vector<std::int64_t> OperatorData::training_examples(const std::vector<std::int64_t>& train) const {
  const std::int64_t per_sample = autoregressive_ ? windows_per_sample() : 1;
  std::vector<std::int64_t> examples;
  for (const std::int64_t index : train)
    for (std::int64_t start = 0; start < per_sample; ++start) examples.push_back(index * per_sample + start);
  return examples;
}

std::pair<torch::Tensor, torch::Tensor> OperatorData::training_batch(const std::vector<std::int64_t>& examples) {
  return autoregressive_ ? windows(examples, train_rollout_) : batch(examples);
}

std::pair<torch::Tensor, torch::Tensor> OperatorData::windows(const std::vector<std::int64_t>& examples,
                                                              std::int64_t count) {
  const std::int64_t per_sample = windows_per_sample();
  std::vector<torch::Tensor> inputs, targets;
  for (const std::int64_t example : examples) {
    auto [x, y] = window(example / per_sample, example % per_sample, count);
    inputs.push_back(x);
    targets.push_back(y);
  }
  OPFORGE_CHECK(!inputs.empty(), InternalError, "an empty autoregressive batch");
  return {torch::stack(inputs), torch::stack(targets)};
}

std::pair<torch::Tensor, torch::Tensor> OperatorData::trajectory(std::int64_t index) {
  OPFORGE_CHECK(frames_ > 0, UsageError, "data: '", options_.path, "' has no time axis");
  OPFORGE_CHECK(input_frames_ == 1, UsageError, "a space-time roll-out restarts from the last predicted frame: it ",
                "needs data.input_frames: 1, got ", input_frames_);
  return {read_input(index), read_output(index, true)};
}

namespace {
/// Broadcastable [1, C, 1, ...] view of a per-channel vector for x.
torch::Tensor per_channel(const torch::Tensor& v, const torch::Tensor& x) {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
  shape[1] = v.size(0);
  return v.view(shape);
}

void channel_moments(const torch::Tensor& t, std::vector<double>& sums, std::vector<double>& squares,
                     std::vector<double>& counts) {
  for (std::int64_t c = 0; c < t.size(1); ++c) {
    const auto channel = t.select(1, c).to(torch::kFloat64);
    sums[c] += channel.sum().item<double>();
    squares[c] += channel.pow(2).sum().item<double>();
    counts[c] += double(channel.numel());
  }
}

torch::Tensor moments_to(const std::vector<double>& values) {
  return torch::tensor(std::vector<float>(values.begin(), values.end()));
}
}  // namespace

void check_finite(const Communicator& comm, OperatorData& data, const std::vector<std::int64_t>& indices,
                  bool labels) {
  // [first bad index, 0 = input / 1 = output], reduced with min.
  std::int64_t first_bad = std::numeric_limits<std::int64_t>::max();
  std::int64_t in_output = 1;
  for (std::size_t k = static_cast<std::size_t>(comm.rank()); k < indices.size(); k += static_cast<std::size_t>(comm.size())) {
    const auto x = data.inputs({indices[k]});
    const bool input_ok = torch::isfinite(x).all().item<bool>();
    const bool output_ok = !labels || torch::isfinite(data.batch({indices[k]}).second).all().item<bool>();
    if ((!input_ok || !output_ok) && indices[k] < first_bad) {
      first_bad = indices[k];
      in_output = input_ok ? 1 : 0;
    }
  }
  const std::int64_t bad = comm.allreduce(first_bad, ReduceOp::min);
  if (bad == std::numeric_limits<std::int64_t>::max()) return;
  const std::int64_t where = comm.allreduce(first_bad == bad ? in_output : std::int64_t{1}, ReduceOp::min);
  OPFORGE_THROW(IoError, "dataset '", data.options().path, "': sample ", bad, " has a NaN or infinite value in ",
                where == 0 ? "/input" : "/output", "; regenerate it or leave it out of the train/test/validation ranges");
}

Normalizer Normalizer::fit(const Communicator& comm, OperatorData& data, const std::vector<std::int64_t>& train) {
  const ModelShape shape = data.shape();
  const auto cin = static_cast<std::size_t>(shape.in_channels), cout = static_cast<std::size_t>(shape.out_channels);
  // [sums_in, squares_in, counts_in, sums_out, squares_out, counts_out]
  std::vector<double> in_sum(cin), in_sq(cin), in_n(cin), out_sum(cout), out_sq(cout), out_n(cout);
  for (std::size_t k = static_cast<std::size_t>(comm.rank()); k < train.size(); k += static_cast<std::size_t>(comm.size())) {
    const auto [x, y] = data.batch({train[k]});
    channel_moments(x, in_sum, in_sq, in_n);
    channel_moments(y, out_sum, out_sq, out_n);
  }
  for (auto* v : {&in_sum, &in_sq, &in_n, &out_sum, &out_sq, &out_n}) comm.allreduce(*v, ReduceOp::sum);
  auto finish = [](const std::vector<double>& sum, const std::vector<double>& sq, const std::vector<double>& n,
                   std::vector<double>& mean, std::vector<double>& std) {
    for (std::size_t c = 0; c < sum.size(); ++c) {
      mean[c] = sum[c] / n[c];
      // Variance from raw moments can cancel below zero (neuraloperator #329): clamp.
      std[c] = std::sqrt(std::max(sq[c] / n[c] - mean[c] * mean[c], 0.0)) + 1e-5;
    }
  };
  std::vector<double> in_mean(cin), in_std(cin), out_mean(cout), out_std(cout);
  finish(in_sum, in_sq, in_n, in_mean, in_std);
  finish(out_sum, out_sq, out_n, out_mean, out_std);
  return {moments_to(in_mean), moments_to(in_std), moments_to(out_mean), moments_to(out_std)};
}

Normalizer Normalizer::identity(const ModelShape& shape) {
  return {torch::zeros({shape.in_channels}), torch::ones({shape.in_channels}), torch::zeros({shape.out_channels}),
          torch::ones({shape.out_channels})};
}

torch::Tensor Normalizer::encode_input(const torch::Tensor& x) const {
  // A broadcast axis (stride 0: the roll-out's u0 repeated over the frames)
  // is encoded once and stays a broadcast, so that the model can use the
  // structure (models/fourier_evaluation.cpp).
  torch::Tensor compact = x;
  for (std::int64_t axis = 2; axis < x.dim(); ++axis)
    if (x.stride(axis) == 0) compact = compact.narrow(axis, 0, 1);
  return ((compact - per_channel(input_mean, compact)) / per_channel(input_std, compact)).expand(x.sizes());
}
namespace {
/// normalize: false keeps mean 0 and std 1: nothing to compute (two passes
/// over a roll-out call's output otherwise).
bool is_identity(const torch::Tensor& mean, const torch::Tensor& std) {
  return torch::all(mean == 0).item<bool>() && torch::all(std == 1).item<bool>();
}
}  // namespace

torch::Tensor Normalizer::decode_output(const torch::Tensor& y) const {
  if (is_identity(output_mean, output_std)) return y;
  return y * per_channel(output_std, y) + per_channel(output_mean, y);
}

torch::Tensor relative_l2(const torch::Tensor& prediction, const torch::Tensor& truth) {
  const auto diff = (prediction - truth).flatten(1).norm(2, 1);
  return diff / truth.flatten(1).norm(2, 1).clamp_min(1e-30);
}

torch::Tensor relative_h1(const torch::Tensor& prediction, const torch::Tensor& truth) {
  std::vector<std::int64_t> dims;
  auto weight = torch::ones({1}, truth.options());
  for (std::int64_t axis = 2; axis < truth.dim(); ++axis) {
    dims.push_back(axis);
    const std::int64_t n = truth.size(axis);
    std::vector<std::int64_t> shape(static_cast<std::size_t>(truth.dim()), 1);
    shape[static_cast<std::size_t>(axis)] = n;
    weight = weight + torch::fft::fftfreq(n, 1.0 / double(n), truth.options()).pow(2).view(shape);
  }
  weight = weight.sqrt();
  // The relative L2 error of the weighted spectra (real and imaginary parts as values).
  auto weighted_spectrum = [&](const torch::Tensor& field) {
    return torch::view_as_real(torch::fft::fftn(field, c10::nullopt, dims) * weight);
  };
  return relative_l2(weighted_spectrum(prediction), weighted_spectrum(truth));
}

}  // namespace opforge::train
