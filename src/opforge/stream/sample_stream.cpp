#include "opforge/stream/sample_stream.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>

#include "opforge/core/mpi_native.hpp"

namespace opforge::stream {
namespace {

enum Tag : int { tag_hello = 31, tag_accept = 32, tag_sample = 33, tag_end = 34 };

/// Header of a sample message: index, the sender's idle seconds and samples sent so far.
constexpr std::int64_t header_values = 3;
/// Hello: input and output values per sample, samples in the dataset, the sender's max_in_flight.
constexpr int hello_values = 4;
/// End: samples sent to this trainer, the sender's idle seconds, samples sent in all.
constexpr int end_values = 3;

/// Between polls a waiting rank sleeps instead of spinning: on an
/// oversubscribed node a spinning generator would take the trainer's core.
void pause() { std::this_thread::sleep_for(std::chrono::microseconds(200)); }

double now() { return MPI_Wtime(); }

/// Polls `ready` until true, sleeping between tries; returns the seconds waited.
template <typename Ready> double wait_until(Ready ready) {
  const double start = now();
  while (!ready()) pause();
  return now() - start;
}

bool message_from(MPI_Comm comm, int source, int tag, MPI_Status* status = MPI_STATUS_IGNORE) {
  int flag = 0;
  OPFORGE_MPI_CALL(MPI_Iprobe(source, tag, comm, &flag, status));
  return flag != 0;
}

}  // namespace

// ------------------------------------------------------------------ sender ---

struct StreamSender::Impl {
  MPI_Comm comm;
  StreamRoute route;
  SampleSizes sizes;
  std::vector<std::vector<double>> messages;  ///< one per send slot
  std::vector<MPI_Request> requests;
  std::int64_t sent = 0, most_in_flight = 0;
  std::vector<std::int64_t> sent_to;  ///< per trainer
  double idle = 0;
  bool begun = false, closed = false;

  std::int64_t in_flight() const {
    return std::count_if(requests.begin(), requests.end(), [](MPI_Request r) { return r != MPI_REQUEST_NULL; });
  }
  /// A slot with no open send, waiting while all are open.
  std::size_t free_slot() {
    const auto unused = std::find(requests.begin(), requests.end(), MPI_REQUEST_NULL);
    if (unused != requests.end()) return static_cast<std::size_t>(unused - requests.begin());
    int index = MPI_UNDEFINED, done = 0;
    idle += wait_until([&] {
      OPFORGE_MPI_CALL(MPI_Testany(static_cast<int>(requests.size()), requests.data(), &index, &done,
                                   MPI_STATUS_IGNORE));
      return done != 0;
    });
    return static_cast<std::size_t>(index);
  }
};

StreamSender::StreamSender(const Communicator& comm, StreamRoute route, std::int64_t max_in_flight)
    : impl_(std::make_unique<Impl>()) {
  OPFORGE_CHECK(max_in_flight >= 1, UsageError, "max_in_flight must be at least 1, got ", max_in_flight);
  OPFORGE_CHECK(!route.trainers.empty(), UsageError, "a stream needs at least one trainer rank");
  impl_->comm = native(comm);
  impl_->route = std::move(route);
  impl_->messages.resize(static_cast<std::size_t>(max_in_flight));
  impl_->requests.assign(static_cast<std::size_t>(max_in_flight), MPI_REQUEST_NULL);
  impl_->sent_to.assign(impl_->route.trainers.size(), 0);
}

StreamSender::~StreamSender() {
  // Sends still open here mean generation failed and the job is being
  // aborted: their buffers must outlive MPI's use of them, so they are left
  // allocated rather than freed under a pending send.
  if (impl_ && impl_->in_flight() > 0) (void)impl_.release();
}

void StreamSender::begin(const io::DatasetLayout& layout) {
  Impl& s = *impl_;
  s.sizes = {layout.input_sample_size(), layout.output_sample_size(), layout.num_samples};
  const std::int64_t hello[hello_values] = {s.sizes.input, s.sizes.output, s.sizes.samples,
                                            static_cast<std::int64_t>(s.requests.size())};
  for (const int trainer : s.route.trainers)
    OPFORGE_MPI_CALL(MPI_Send(hello, hello_values, MPI_INT64_T, trainer, tag_hello, s.comm));
  bool accepted = true;
  for (const int trainer : s.route.trainers) {
    s.idle += wait_until([&] { return message_from(s.comm, trainer, tag_accept); });
    int flag = 0;
    OPFORGE_MPI_CALL(MPI_Recv(&flag, 1, MPI_INT, trainer, tag_accept, s.comm, MPI_STATUS_IGNORE));
    accepted = accepted && flag == 1;
  }
  if (!accepted) {
    s.closed = true;  // the trainers fail too: there is nobody to send an end to
    OPFORGE_THROW(ConfigError, "online: the trainer ranks refused the generated samples (", s.sizes.input,
                  " input and ", s.sizes.output, " output values each); see their error");
  }
  for (auto& message : s.messages)
    message.resize(static_cast<std::size_t>(header_values + s.sizes.input + s.sizes.output));
  s.begun = true;
}

void StreamSender::write_sample(std::int64_t index, const double* input, const double* output, const io::MetaValues&) {
  Impl& s = *impl_;
  OPFORGE_CHECK(s.begun && !s.closed, UsageError, "StreamSender::write_sample outside begin() .. close()");
  const std::size_t slot = s.free_slot();
  std::vector<double>& message = s.messages[slot];
  message[0] = static_cast<double>(index);
  message[1] = s.idle;
  message[2] = static_cast<double>(s.sent + 1);
  std::copy(input, input + s.sizes.input, message.begin() + header_values);
  std::copy(output, output + s.sizes.output, message.begin() + header_values + s.sizes.input);
  const auto t = static_cast<std::size_t>(trainer_of(index, s.route.trainers.size()));
  OPFORGE_MPI_CALL(MPI_Issend(message.data(), static_cast<int>(message.size()), MPI_DOUBLE, s.route.trainers[t],
                              tag_sample, s.comm, &s.requests[slot]));
  ++s.sent;
  ++s.sent_to[t];
  s.most_in_flight = std::max(s.most_in_flight, s.in_flight());
}

void StreamSender::close() {
  Impl& s = *impl_;
  if (s.closed) return;
  s.idle += wait_until([&] {
    int done = 0;
    OPFORGE_MPI_CALL(MPI_Testall(static_cast<int>(s.requests.size()), s.requests.data(), &done, MPI_STATUSES_IGNORE));
    return done != 0;
  });
  for (std::size_t t = 0; t < s.route.trainers.size(); ++t) {
    const double end[end_values] = {static_cast<double>(s.sent_to[t]), s.idle, static_cast<double>(s.sent)};
    OPFORGE_MPI_CALL(MPI_Send(end, end_values, MPI_DOUBLE, s.route.trainers[t], tag_end, s.comm));
  }
  s.closed = true;
}

std::int64_t StreamSender::sent() const { return impl_->sent; }
double StreamSender::idle_seconds() const { return impl_->idle; }
std::int64_t StreamSender::most_in_flight() const { return impl_->most_in_flight; }

// ---------------------------------------------------------------- receiver ---

// The receiver keeps one posted MPI_Irecv per message that can be in flight
// towards it and only tests them: a large sample moves by rendezvous, which
// needs the sender to enter MPI again, and a generator in the middle of a
// simulation does not for seconds. A blocking receive would hold the
// training step that long. Each receive names its generator, so that one
// generator's samples fill its receives in the order it sent them (MPI
// matches posted receives of one source in posting order): wait_from relies on it.
struct StreamReceiver::Impl {
  MPI_Comm comm;
  StreamRoute route;
  SampleSizes sizes;
  std::vector<std::vector<double>> messages;  ///< one per posted receive
  std::vector<MPI_Request> posted;
  std::vector<std::size_t> source_of;          ///< per receive: its generator's position
  std::vector<std::deque<std::size_t>> order;  ///< per generator: its receives in posting order
  std::vector<std::int64_t> received_from, expected_from;  ///< per generator; expected -1 until its end
  std::vector<std::int64_t> generated;                     ///< per generator, as last reported
  std::vector<double> generator_idle;
  std::int64_t received = 0;
  double idle = 0;

  std::size_t position_of(int rank) const {
    const auto it = std::find(route.generators.begin(), route.generators.end(), rank);
    OPFORGE_CHECK(it != route.generators.end(), InternalError, "stream message from rank ", rank,
                  ", which is not a generator");
    return static_cast<std::size_t>(it - route.generators.begin());
  }
  void post(std::size_t slot) {
    const std::size_t g = source_of[slot];
    OPFORGE_MPI_CALL(MPI_Irecv(messages[slot].data(), static_cast<int>(messages[slot].size()), MPI_DOUBLE,
                               route.generators[g], tag_sample, comm, &posted[slot]));
    order[g].push_back(slot);
  }
  /// The sample in completed receive `slot`, which is then posted again.
  void take(std::size_t slot, ReceivedSample& sample) {
    const std::vector<double>& message = messages[slot];
    const std::size_t g = source_of[slot];
    generator_idle[g] = std::max(generator_idle[g], message[1]);
    generated[g] = std::max(generated[g], static_cast<std::int64_t>(message[2]));
    const auto input_begin = message.begin() + header_values;
    sample.index = static_cast<std::int64_t>(message[0]);
    sample.generator = route.generators[g];
    sample.input.assign(input_begin, input_begin + sizes.input);
    sample.output.assign(input_begin + sizes.input, message.end());
    ++received_from[g];
    ++received;
    order[g].erase(std::find(order[g].begin(), order[g].end(), slot));
    post(slot);
  }
  bool ended(std::size_t g) const { return expected_from[g] >= 0 && received_from[g] >= expected_from[g]; }
  /// Takes every end message that has arrived.
  void take_ends() {
    MPI_Status status;
    while (message_from(comm, MPI_ANY_SOURCE, tag_end, &status)) {
      double end[end_values];
      OPFORGE_MPI_CALL(MPI_Recv(end, end_values, MPI_DOUBLE, status.MPI_SOURCE, tag_end, comm, MPI_STATUS_IGNORE));
      const std::size_t g = position_of(status.MPI_SOURCE);
      expected_from[g] = static_cast<std::int64_t>(end[0]);
      generator_idle[g] = end[1];
      generated[g] = static_cast<std::int64_t>(end[2]);
    }
  }
  /// Every generator has ended and everything it sent here has been taken.
  bool all_done() const {
    for (std::size_t g = 0; g < expected_from.size(); ++g)
      if (!ended(g)) return false;
    return true;
  }
  /// The receives still posted when nothing more can come.
  void cancel_posted() {
    for (MPI_Request& request : posted)
      if (request != MPI_REQUEST_NULL) {
        MPI_Cancel(&request);
        MPI_Wait(&request, MPI_STATUS_IGNORE);
      }
  }
};

StreamReceiver::StreamReceiver(const Communicator& comm, StreamRoute route) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.comm = native(comm);
  s.route = std::move(route);
  const std::size_t g = s.route.generators.size();
  s.received_from.assign(g, 0);
  s.expected_from.assign(g, -1);
  s.generated.assign(g, 0);
  s.generator_idle.assign(g, 0.0);
  s.order.resize(g);
}

StreamReceiver::~StreamReceiver() {
  if (impl_) impl_->cancel_posted();
}

SampleSizes StreamReceiver::accept(const SampleSizes& expected, const std::string& what) {
  Impl& s = *impl_;
  std::vector<SampleSizes> offered;
  std::vector<std::int64_t> in_flight;
  for (const int generator : s.route.generators) {
    s.idle += wait_until([&] { return message_from(s.comm, generator, tag_hello); });
    std::int64_t hello[hello_values];
    OPFORGE_MPI_CALL(MPI_Recv(hello, hello_values, MPI_INT64_T, generator, tag_hello, s.comm, MPI_STATUS_IGNORE));
    offered.push_back({hello[0], hello[1], hello[2]});
    in_flight.push_back(hello[3]);
  }
  const bool ok = std::all_of(offered.begin(), offered.end(), [&](const SampleSizes& o) {
    return o == expected && o.samples == offered.front().samples;
  });
  const int flag = ok ? 1 : 0;
  for (const int generator : s.route.generators)
    OPFORGE_MPI_CALL(MPI_Send(&flag, 1, MPI_INT, generator, tag_accept, s.comm));
  if (!ok)
    OPFORGE_THROW(ConfigError, "online: the generate section makes samples of ", offered.front().input, " input and ",
                  offered.front().output, " output values, but ", what, " has ", expected.input, " and ",
                  expected.output, ": both must describe the same problem (pde, resolution, frames)");
  s.sizes = offered.front();
  for (std::size_t g = 0; g < in_flight.size(); ++g) s.source_of.insert(s.source_of.end(), in_flight[g], g);
  s.messages.assign(s.source_of.size(),
                    std::vector<double>(static_cast<std::size_t>(header_values + s.sizes.input + s.sizes.output)));
  s.posted.assign(s.messages.size(), MPI_REQUEST_NULL);
  for (std::size_t slot = 0; slot < s.posted.size(); ++slot) s.post(slot);
  return s.sizes;
}

bool StreamReceiver::poll(ReceivedSample& sample) {
  Impl& s = *impl_;
  s.take_ends();
  if (s.posted.empty()) return false;
  int slot = MPI_UNDEFINED, done = 0;
  OPFORGE_MPI_CALL(MPI_Testany(static_cast<int>(s.posted.size()), s.posted.data(), &slot, &done, MPI_STATUS_IGNORE));
  if (!done || slot == MPI_UNDEFINED) return false;
  s.take(static_cast<std::size_t>(slot), sample);
  return true;
}

bool StreamReceiver::wait_from(std::size_t generator, ReceivedSample& sample) {
  Impl& s = *impl_;
  OPFORGE_CHECK(generator < s.order.size() && !s.order[generator].empty(), UsageError,
                "wait_from: no stream from generator ", generator, " (call accept() first)");
  bool got = false;
  s.idle += wait_until([&] {
    const std::size_t next = s.order[generator].front();  // its next sample lands here
    int done = 0;
    OPFORGE_MPI_CALL(MPI_Test(&s.posted[next], &done, MPI_STATUS_IGNORE));
    if (done) {
      s.take(next, sample);
      return got = true;
    }
    s.take_ends();
    return s.ended(generator);
  });
  return got;
}

std::size_t StreamReceiver::generator_count() const { return impl_->route.generators.size(); }

bool StreamReceiver::wait(ReceivedSample& sample) {
  bool got = false;
  impl_->idle += wait_until([&] { return (got = poll(sample)) || finished(); });
  return got;
}

std::int64_t StreamReceiver::drain() {
  const double idle = impl_->idle;  // waiting after training is not training's idle time
  std::int64_t dropped = 0;
  ReceivedSample sample;
  while (wait(sample)) ++dropped;
  impl_->idle = idle;
  impl_->cancel_posted();
  return dropped;
}

bool StreamReceiver::finished() const { return impl_->all_done(); }
std::int64_t StreamReceiver::received() const { return impl_->received; }
double StreamReceiver::idle_seconds() const { return impl_->idle; }

GeneratorStatus StreamReceiver::generators() const {
  const Impl& s = *impl_;
  GeneratorStatus status;
  for (std::size_t g = 0; g < s.expected_from.size(); ++g) {
    status.generated += s.generated[g];
    status.idle_seconds += s.generator_idle[g];
  }
  return status;
}

}  // namespace opforge::stream
