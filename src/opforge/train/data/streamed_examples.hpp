#pragma once
/// @file
/// Training examples from the online stream: each trainer rank takes the
/// samples that have arrived into its bounded buffer (stream::SampleBuffer)
/// and OperatorData's cache, then draws its part of every batch from the
/// buffer. An epoch has as many steps as an offline epoch over the generated
/// dataset would (its samples, or their autoregressive windows).

#include <torch/torch.h>

#include "opforge/core/communicator.hpp"
#include "opforge/stream/sample_buffer.hpp"
#include "opforge/stream/sample_stream.hpp"
#include "opforge/train/data/data.hpp"
#include "opforge/train/data/example_source.hpp"

namespace opforge::train {

class StreamedExamples final : public ExampleSource {
public:
  /// Collective over the trainer ranks `comm`: accepts the generators'
  /// stream (its samples must have the layout of `data`'s file) and checks
  /// that the buffer and the batch fit the samples each rank will receive.
  StreamedExamples(const Communicator& comm, stream::StreamReceiver& receiver, OperatorData& data,
                   const stream::BufferOptions& options, std::int64_t global_batch, std::uint64_t seed);

  std::int64_t batches() const override;
  std::int64_t global_batch_size(std::int64_t) const override { return global_batch_; }
  /// Whole batches: every step draws a full one.
  std::int64_t examples_per_epoch() const override { return batches() * global_batch_; }
  /// Takes in what has arrived (waiting, counted as idle, until the buffer
  /// holds min_fill samples, at least this rank's part of a batch), then draws.
  std::vector<std::int64_t> next_batch(std::int64_t epoch, std::int64_t batch) override;
  std::vector<std::pair<std::string, double>> status() override;
  /// Drops what the generators still send after training ended.
  void finish() override;
  /// Deterministic mode: the admission position, the buffer and the random
  /// positions (empty otherwise: arrival order cannot be replayed).
  std::string state() const override;
  /// Deterministic mode: continues from state(). The resumed generators
  /// stream the samples kept in the dataset again first (restream_kept); the
  /// first ones from each generator, those admitted before, refill the
  /// buffer's slots instead of being admitted again.
  void restore(const std::string& state) override;

private:
  void store(const stream::ReceivedSample& sample);
  /// Deterministic admission: `count` samples round-robin over the generators.
  void admit_in_turn(std::int64_t count);
  /// After restore(): takes the already-admitted samples again, refilling the buffer.
  void replay();
  const Communicator& comm_;
  stream::StreamReceiver& receiver_;
  OperatorData& data_;
  stream::SampleBuffer buffer_;
  std::int64_t global_batch_ = 0, local_batch_ = 0, samples_ = 0, windows_ = 1, min_fill_ = 0;
  bool deterministic_ = false, started_ = false;
  std::int64_t per_step_ = 0;
  std::size_t turn_ = 0;  ///< the generator whose sample is admitted next (deterministic)
  std::vector<std::int64_t> taken_from_;  ///< per generator: samples taken (deterministic)
  std::vector<std::int64_t> replay_;      ///< per generator: samples to take again after restore()
  std::int64_t non_finite_ = 0;  ///< samples refused for a NaN or infinity
  pde::Random random_;           ///< window choice
};

}  // namespace opforge::train
