#include "opforge/train/data/streamed_examples.hpp"

#include <algorithm>
#include <cmath>

#include "opforge/core/error.hpp"
#include "opforge/core/log.hpp"

namespace opforge::train {
namespace {

/// Positions r, r + P, ... of n: what rank r of P holds of n items dealt in turn.
std::int64_t dealt(std::int64_t n, int rank, int ranks) { return n > rank ? (n - rank + ranks - 1) / ranks : 0; }

bool finite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

StreamedExamples::StreamedExamples(const Communicator& comm, stream::StreamReceiver& receiver, OperatorData& data,
                                   const stream::BufferOptions& options, std::int64_t global_batch, std::uint64_t seed)
    : comm_(comm), receiver_(receiver), data_(data),
      buffer_(options.capacity, options.policy, pde::sample_seed(seed, comm.rank(), 11)),
      global_batch_(global_batch), random_(pde::sample_seed(seed, comm.rank(), 12)) {
  const auto& layout = data.layout();
  const stream::SampleSizes sizes = receiver_.accept(
      {layout.input_sample_size(), layout.output_sample_size(), 0}, "train.data.path '" + data.options().path + "'");
  samples_ = sizes.samples;
  windows_ = static_cast<std::int64_t>(data.training_examples({0}).size());
  local_batch_ = dealt(global_batch_, comm.rank(), comm.size());
  const std::int64_t mine = dealt(samples_, comm.rank(), comm.size());  // sample i goes to trainer i mod T
  min_fill_ = std::max(options.min_fill, local_batch_);  // every step trains on a full batch
  deterministic_ = options.deterministic;
  per_step_ = options.per_step > 0 ? options.per_step : local_batch_;
  // Every rank checks the same numbers for its own share, so all fail together.
  std::int64_t fewest = comm.allreduce(mine, ReduceOp::min), largest_part = comm.allreduce(local_batch_, ReduceOp::max);
  OPFORGE_CHECK(options.capacity >= largest_part, ConfigError, "online.buffer_capacity: ", options.capacity,
                " samples per trainer rank cannot hold its part (", largest_part, ") of training.batch_size ",
                global_batch_);
  OPFORGE_CHECK(fewest >= largest_part, ConfigError, "online: ", samples_, " generated samples over ", comm.size(),
                " trainer ranks leave one only ", fewest, ", fewer than its part (", largest_part,
                ") of training.batch_size ", global_batch_);
  OPFORGE_CHECK(min_fill_ <= std::min(options.capacity, fewest), ConfigError, "online.min_fill: ", min_fill_,
                " exceeds the buffer (", options.capacity, ") or the samples a trainer rank receives (", fewest, ")");
}

std::int64_t StreamedExamples::batches() const { return (samples_ * windows_ + global_batch_ - 1) / global_batch_; }

void StreamedExamples::store(const stream::ReceivedSample& sample) {
  if (!finite(sample.input) || !finite(sample.output)) {
    if (non_finite_++ == 0)
      logger().warning("online: sample ", sample.index, " holds a NaN or infinity; it is not trained on (counted)");
    return;
  }
  const std::int64_t slot = buffer_.admit(sample.index);
  if (slot >= 0) data_.put(data_.layout().num_samples + slot, sample.input, sample.output);
}

void StreamedExamples::admit_in_turn(std::int64_t count) {
  stream::ReceivedSample sample;
  const std::size_t generators = receiver_.generator_count();
  for (std::int64_t taken = 0; taken < count; ++taken) {
    std::size_t tries = 0;
    while (tries < generators && !receiver_.wait_from(turn_, sample)) {  // skip generators that have ended
      turn_ = (turn_ + 1) % generators;
      ++tries;
    }
    if (tries == generators) return;  // every generator has ended
    store(sample);
    turn_ = (turn_ + 1) % generators;
  }
}

std::vector<std::int64_t> StreamedExamples::next_batch(std::int64_t, std::int64_t) {
  stream::ReceivedSample sample;
  if (deterministic_) {
    admit_in_turn(started_ ? per_step_ : min_fill_);
  } else {
    while (receiver_.poll(sample)) store(sample);
    while (buffer_.filled() < min_fill_ && receiver_.wait(sample)) store(sample);
  }
  started_ = true;
  OPFORGE_CHECK(buffer_.filled() >= local_batch_, ConfigError, "online: the stream ended with ", buffer_.filled(),
                " samples on a trainer rank, fewer than its part (", local_batch_,
                ") of a batch; the dataset holds everything generated: train on it with `opforge train`");
  std::vector<std::int64_t> examples;
  for (const std::int64_t slot : buffer_.draw(local_batch_)) {
    const std::int64_t key = data_.layout().num_samples + slot;
    const auto window = static_cast<std::int64_t>(random_.next() % static_cast<std::uint64_t>(windows_));
    examples.push_back(key * windows_ + window);
  }
  return examples;
}

std::vector<std::pair<std::string, double>> StreamedExamples::status() {
  const stream::BufferCounts& c = buffer_.counts();
  const stream::GeneratorStatus generators = receiver_.generators();
  auto sum = [&](double v) { return comm_.allreduce(v, ReduceOp::sum); };
  auto most = [&](double v) { return comm_.allreduce(v, ReduceOp::max); };
  const double unique = sum(double(c.unique_drawn)), draws = sum(double(c.draws));
  return {{"samples_generated", most(double(generators.generated))},
          {"samples_received", sum(double(receiver_.received()))},
          {"unique_trained", unique},
          {"mean_reuse", unique > 0 ? draws / unique : 0.0},
          {"buffer_fill", sum(double(buffer_.filled()))},
          {"evicted_unused", sum(double(c.evicted_unused))},
          {"non_finite", sum(double(non_finite_))},
          {"generator_idle_seconds", most(generators.idle_seconds)},
          {"trainer_idle_seconds", most(receiver_.idle_seconds())}};
}

void StreamedExamples::finish() {
  const std::int64_t dropped = comm_.allreduce(receiver_.drain(), ReduceOp::sum);
  if (dropped > 0)
    logger().info("online: ", dropped, " samples arrived after training ended (written to the dataset, not trained on)");
}

}  // namespace opforge::train
