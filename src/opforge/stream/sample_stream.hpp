#pragma once
/// @file
/// The online-training transport: samples from generator ranks to trainer
/// ranks over MPI, point to point, non-blocking and bounded (see README.md).
///
/// Protocol, on a communicator shared by both roles (a duplicate of the
/// world, so no other traffic matches it):
///  1. hello: every generator sends its layout (input and output values per
///     sample, samples in the dataset) and its max_in_flight to every
///     trainer; every trainer answers each generator with an accept/refuse
///     flag, so a mismatch fails on both sides instead of leaving one waiting.
///  2. samples: sample i goes to trainer i mod T with MPI_Issend, which
///     completes only once a receive on the trainer has matched it; a
///     generator keeps at most max_in_flight sends open. A trainer posts one
///     receive per message that can be in flight towards it (the sum of the
///     generators' max_in_flight) and only tests them, so a step never waits
///     for a generator that is computing; a received buffer is posted again
///     once the trainer has taken its sample. Between a generator and the
///     trainers there are thus at most 2 max_in_flight of its samples.
///  3. end: each generator tells every trainer how many samples it sent
///     there; a trainer is finished once every generator has ended and it
///     has taken that many from each. A trainer that has finished training
///     drains what is still coming.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "opforge/io/sample_sink.hpp"

namespace opforge {
class Communicator;
}

namespace opforge::stream {

/// Values per sample on the wire (float64, as solved).
struct SampleSizes {
  std::int64_t input = 0, output = 0;
  std::int64_t samples = 0;  ///< in the generated dataset
  bool operator==(const SampleSizes& o) const { return input == o.input && output == o.output; }
};

/// Where the roles sit in the shared communicator.
struct StreamRoute {
  std::vector<int> generators;  ///< ranks that send
  std::vector<int> trainers;    ///< ranks that receive; sample i goes to trainers[i mod T]
};

/// A generator rank's end of the stream.
class StreamSender final : public io::SampleSink {
public:
  /// `comm` must outlive the sender; `max_in_flight` >= 1.
  StreamSender(const Communicator& comm, StreamRoute route, std::int64_t max_in_flight);
  StreamSender(const StreamSender&) = delete;
  StreamSender& operator=(const StreamSender&) = delete;
  ~StreamSender() override;

  /// The hello exchange; throws ConfigError when a trainer refuses. Called
  /// once the generator knows its layout, before the first sample.
  void begin(const io::DatasetLayout& layout) override;
  /// Waits (idle) while max_in_flight sends are open, then sends.
  void write_sample(std::int64_t index, const double* input, const double* output, const io::MetaValues& meta) override;
  /// Waits for the open sends, then tells every trainer this rank is done.
  /// Also sends the end (without a hello) when generation failed or stopped
  /// early, so trainers never wait for this rank.
  void close();

  std::int64_t sent() const;
  double idle_seconds() const;  ///< waiting for a trainer to take a sample
  std::int64_t most_in_flight() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One sample as received: its global index and values.
struct ReceivedSample {
  std::int64_t index = -1;
  int generator = -1;  ///< the sending rank
  std::vector<double> input, output;
};

/// What the generators reported with their latest samples (summed).
struct GeneratorStatus {
  std::int64_t generated = 0;   ///< samples sent so far by all generators
  double idle_seconds = 0;      ///< their summed waits for trainers
};

/// A trainer rank's end of the stream.
class StreamReceiver {
public:
  StreamReceiver(const Communicator& comm, StreamRoute route);
  StreamReceiver(const StreamReceiver&) = delete;
  StreamReceiver& operator=(const StreamReceiver&) = delete;
  ~StreamReceiver();

  /// Receives every generator's hello and answers it: accepted when the
  /// sizes equal `expected`; otherwise every refused generator and this rank
  /// throw ConfigError (`what` names the trainer's data, for the message).
  /// Returns the generators' sizes (samples: the dataset's size).
  SampleSizes accept(const SampleSizes& expected, const std::string& what);
  /// Takes one sample if one has arrived (never blocks).
  bool poll(ReceivedSample& sample);
  /// Takes one sample, waiting (idle) until one arrives; false when every
  /// generator has finished and nothing is left.
  bool wait(ReceivedSample& sample);
  /// Deterministic order: the next sample that generator `generator`
  /// (its position in StreamRoute::generators) sent here, waiting (idle)
  /// for it; false once it has ended and everything it sent has been taken.
  /// Do not mix with poll()/wait(), which take samples in arrival order.
  bool wait_from(std::size_t generator, ReceivedSample& sample);
  std::size_t generator_count() const;
  /// Receives and drops whatever still comes until every generator has
  /// finished; returns how many samples were dropped.
  std::int64_t drain();
  bool finished() const;

  std::int64_t received() const;
  double idle_seconds() const;  ///< waiting for a sample in wait()
  GeneratorStatus generators() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Which trainer (position in StreamRoute::trainers) receives sample `index`.
inline int trainer_of(std::int64_t index, std::size_t trainers) {
  return static_cast<int>(index % static_cast<std::int64_t>(trainers));
}

}  // namespace opforge::stream
