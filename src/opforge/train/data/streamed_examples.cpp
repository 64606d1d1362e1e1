#include "opforge/train/data/streamed_examples.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

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
  taken_from_.assign(receiver_.generator_count(), 0);
  replay_.assign(receiver_.generator_count(), 0);
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
    ++taken_from_[turn_];
    store(sample);
    turn_ = (turn_ + 1) % generators;
  }
}

std::string StreamedExamples::state() const {
  if (!deterministic_) return {};
  std::ostringstream out;
  out << "streamed " << started_ << ' ' << turn_ << ' ' << taken_from_.size();
  for (const std::int64_t taken : taken_from_) out << ' ' << taken;
  for (const std::uint64_t word : random_.state()) out << ' ' << word;
  out << '\n';
  buffer_.save(out);
  return out.str();
}

void StreamedExamples::restore(const std::string& state) {
  if (!deterministic_) return;
  OPFORGE_CHECK(!state.empty(), ConfigError,
                "online.deterministic: the checkpoint has no stream state (written without deterministic: true)");
  std::istringstream in(state);
  std::string tag;
  std::size_t generators = 0;
  in >> tag >> started_ >> turn_ >> generators;
  OPFORGE_CHECK(in && tag == "streamed" && generators == taken_from_.size(), ConfigError,
                "online: the checkpoint's stream came from ", generators, " generator ranks, this job has ",
                taken_from_.size());
  for (std::int64_t& taken : taken_from_) in >> taken;
  std::array<std::uint64_t, 4> words{};
  for (std::uint64_t& word : words) in >> word;
  random_.set_state(words);
  buffer_.load(in);
  replay_ = taken_from_;
}

void StreamedExamples::replay() {
  // The samples the buffer held, by sample index; they come again among the replayed ones.
  std::map<std::int64_t, std::int64_t> missing;
  for (std::int64_t slot = 0; slot < buffer_.filled(); ++slot) missing[buffer_.index_at(slot)] = slot;
  stream::ReceivedSample sample;
  for (std::size_t g = 0; g < replay_.size(); ++g)
    for (; replay_[g] > 0 && receiver_.wait_from(g, sample); --replay_[g])
      if (const auto found = missing.find(sample.index); found != missing.end()) {
        data_.put(data_.layout().num_samples + found->second, sample.input, sample.output);
        missing.erase(found);
      }
  OPFORGE_CHECK(missing.empty(), IoError, "online: resuming, ", missing.size(),
                " samples the buffer held did not come again (sample ", missing.begin()->first,
                "): the dataset's .partial file lacks them");
}

std::vector<std::int64_t> StreamedExamples::next_batch(std::int64_t, std::int64_t) {
  stream::ReceivedSample sample;
  if (deterministic_) {
    if (std::any_of(replay_.begin(), replay_.end(), [](std::int64_t n) { return n > 0; })) replay();
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
