// The online transport between real MPI ranks: the last rank(s) receive,
// the others send. Every sample arrives exactly once, at trainer index mod T,
// with its values; a slow trainer holds each generator to max_in_flight open
// sends (back-pressure, counted as generator idle time); sizes that disagree
// fail on both sides with one message.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "opforge/core/environment.hpp"
#include "opforge/core/error.hpp"
#include "opforge/stream/sample_stream.hpp"
#include "support/expect_error.hpp"

namespace {

using namespace opforge;

struct Roles {
  stream::StreamRoute route;
  bool trainer = false;
};

/// One trainer for 2 ranks, the last 1 of 3 too: at least one of each role.
Roles roles(const Communicator& world) {
  Roles r;
  const int trainers = std::max(1, world.size() / 3);
  for (int rank = 0; rank < world.size(); ++rank)
    (rank < world.size() - trainers ? r.route.generators : r.route.trainers).push_back(rank);
  r.trainer = world.rank() >= world.size() - trainers;
  return r;
}

io::DatasetLayout layout(std::int64_t samples, std::int64_t nx) {
  io::DatasetLayout l;
  l.num_samples = samples;
  l.input_channels = {"a"};
  l.output_channels = {"u"};
  l.spatial_shape = {nx, 2};
  return l;
}

double value_of(std::int64_t index, std::int64_t k, bool output) { return 1000.0 * index + k + (output ? 0.5 : 0.0); }

/// Generator g sends samples g, g + G, ... of n.
void send_share(stream::StreamSender& sender, const Roles& r, int world_rank, std::int64_t n, std::int64_t nx) {
  const auto g = static_cast<std::int64_t>(world_rank);
  const auto generators = static_cast<std::int64_t>(r.route.generators.size());
  std::vector<double> input(static_cast<std::size_t>(2 * nx)), output(input.size());
  for (std::int64_t i = g; i < n; i += generators) {
    for (std::size_t k = 0; k < input.size(); ++k) {
      input[k] = value_of(i, static_cast<std::int64_t>(k), false);
      output[k] = value_of(i, static_cast<std::int64_t>(k), true);
    }
    sender.write_sample(i, input.data(), output.data(), {});
  }
}

TEST(SampleStream, EverySampleArrivesOnceAtItsTrainerWithItsValues) {
  const Communicator& world = Environment::current().world();
  const Communicator comm = world.duplicate();
  const Roles r = roles(world);
  const std::int64_t n = 23, nx = 3;
  if (!r.trainer) {
    stream::StreamSender sender(comm, r.route, 3);
    sender.begin(layout(n, nx));
    send_share(sender, r, world.rank(), n, nx);
    sender.close();
    EXPECT_LE(sender.most_in_flight(), 3);
  } else {
    stream::StreamReceiver receiver(comm, r.route);
    const auto sizes = receiver.accept({2 * nx, 2 * nx, 0}, "the test layout");
    EXPECT_EQ(sizes.samples, n);
    const int me = world.rank() - r.route.trainers.front();
    std::map<std::int64_t, int> seen;
    stream::ReceivedSample sample;
    while (receiver.wait(sample)) {
      ++seen[sample.index];
      EXPECT_EQ(stream::trainer_of(sample.index, r.route.trainers.size()), me);
      ASSERT_EQ(sample.input.size(), static_cast<std::size_t>(2 * nx));
      for (std::size_t k = 0; k < sample.input.size(); ++k) {
        EXPECT_EQ(sample.input[k], value_of(sample.index, static_cast<std::int64_t>(k), false));
        EXPECT_EQ(sample.output[k], value_of(sample.index, static_cast<std::int64_t>(k), true));
      }
    }
    std::int64_t expected = 0;
    for (std::int64_t i = 0; i < n; ++i) expected += stream::trainer_of(i, r.route.trainers.size()) == me ? 1 : 0;
    EXPECT_EQ(static_cast<std::int64_t>(seen.size()), expected);
    for (const auto& [index, count] : seen) EXPECT_EQ(count, 1) << index;
    EXPECT_TRUE(receiver.finished());
    if (r.route.trainers.size() == 1) EXPECT_EQ(receiver.generators().generated, n);  // every sender's last count
  }
}

TEST(SampleStream, WaitFromGivesEachGeneratorsSamplesInTheOrderItSentThem) {
  const Communicator& world = Environment::current().world();
  const Communicator comm = world.duplicate();
  const Roles r = roles(world);
  const std::int64_t n = 17, nx = 64;  // large enough for rendezvous transfers
  if (!r.trainer) {
    stream::StreamSender sender(comm, r.route, 2);
    sender.begin(layout(n, nx));
    send_share(sender, r, world.rank(), n, nx);
    sender.close();
    return;
  }
  stream::StreamReceiver receiver(comm, r.route);
  receiver.accept({2 * nx, 2 * nx, 0}, "the test layout");
  const std::size_t generators = receiver.generator_count();
  std::vector<std::int64_t> last(generators, -1), count(generators, 0);
  stream::ReceivedSample sample;
  // Generator g sends g, g + G, ...: taken from the last generator first, each in that order.
  for (std::size_t g = generators; g-- > 0;)
    while (receiver.wait_from(g, sample)) {
      EXPECT_EQ(sample.generator, r.route.generators[g]);
      EXPECT_EQ(sample.index, last[g] < 0 ? static_cast<std::int64_t>(g) : last[g] + static_cast<std::int64_t>(generators));
      EXPECT_EQ(sample.output[1], value_of(sample.index, 1, true));
      last[g] = sample.index;
      ++count[g];
    }
  std::int64_t total = 0;
  for (const auto c : count) total += c;
  if (r.route.trainers.size() == 1) EXPECT_EQ(total, n);
  EXPECT_TRUE(receiver.finished());
}

TEST(SampleStream, ASlowTrainerHoldsGeneratorsToMaxInFlight) {
  const Communicator& world = Environment::current().world();
  const Communicator comm = world.duplicate();
  const Roles r = roles(world);
  const std::int64_t n = 12, nx = 64;  // 1 KB per sample: eager sends would complete at once without Issend
  const std::int64_t bound = 2;
  if (!r.trainer) {
    stream::StreamSender sender(comm, r.route, bound);
    sender.begin(layout(n, nx));
    send_share(sender, r, world.rank(), n, nx);
    sender.close();
    EXPECT_EQ(sender.most_in_flight(), bound);  // it filled its window ...
    EXPECT_GT(sender.idle_seconds(), 0.02);     // ... and then waited for the trainer
  } else {
    stream::StreamReceiver receiver(comm, r.route);
    receiver.accept({2 * nx, 2 * nx, 0}, "the test layout");
    stream::ReceivedSample sample;
    std::int64_t received = 0;
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a training step
      if (!receiver.poll(sample)) {
        if (receiver.finished()) break;
        continue;
      }
      ++received;
    }
    EXPECT_EQ(received, n / static_cast<std::int64_t>(r.route.trainers.size()));
  }
}

TEST(SampleStream, SizesThatDisagreeFailOnBothSides) {
  const Communicator& world = Environment::current().world();
  const Communicator comm = world.duplicate();
  const Roles r = roles(world);
  if (!r.trainer) {
    stream::StreamSender sender(comm, r.route, 2);
    const std::string message =
        test_support::message_of<ConfigError>([&] { sender.begin(layout(5, 3)); });
    EXPECT_NE(message.find("the trainer ranks refused the generated samples (6 input and 6 output values each)"),
              std::string::npos)
        << message;
  } else {
    stream::StreamReceiver receiver(comm, r.route);
    const std::string message =
        test_support::message_of<ConfigError>([&] { receiver.accept({8, 8, 0}, "train.data.path 'h.h5'"); });
    EXPECT_EQ(message,
              "online: the generate section makes samples of 6 input and 6 output values, but train.data.path "
              "'h.h5' has 8 and 8: both must describe the same problem (pde, resolution, frames)");
  }
}

}  // namespace
