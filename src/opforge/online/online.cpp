#include "opforge/online/online.hpp"

#include <chrono>
#include <thread>

#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/mpi_native.hpp"
#include "opforge/stream/sample_stream.hpp"

namespace opforge::online {
namespace {

/// Logging per role: each role's first rank shows its lines, prefixed.
class RoleLog {
public:
  RoleLog(const std::string& role, const Communicator& comm)
      : rank_(logger().rank()), size_(logger().size()), prefix_(logger().prefix()) {
    logger().set_rank(comm.rank(), comm.size());
    logger().set_prefix("[" + role + "] ");
  }
  ~RoleLog() {
    logger().set_rank(rank_, size_);
    logger().set_prefix(prefix_);
  }
  RoleLog(const RoleLog&) = delete;
  RoleLog& operator=(const RoleLog&) = delete;

private:
  int rank_, size_;
  std::string prefix_;
};

/// The roles finish at different times: the first to finish waits here
/// without spinning, so it does not take a core from the other role.
void quiet_barrier(const Communicator& comm) {
  MPI_Request request;
  OPFORGE_MPI_CALL(MPI_Ibarrier(native(comm), &request));
  int done = 0;
  while (true) {
    OPFORGE_MPI_CALL(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void log_generation(const OnlineReport& r, const Communicator& role) {
  const auto sent = role.allreduce(r.sent, ReduceOp::sum);
  const double idle = role.allreduce(r.generator_idle_seconds, ReduceOp::max);
  const auto in_flight = role.allreduce(r.most_in_flight, ReduceOp::max);
  const auto& g = r.generation;
  if (g.stopped)
    logger().info("stopped", g.stop_signal ? " (signal " + std::to_string(g.stop_signal) + ")" : std::string(), ": ",
                  g.written, " of ", g.samples, " samples in ", g.output_path, io::partial_suffix,
                  "; run the same command with --resume to continue");
  else
    logger().info("wrote ", g.output_path, ": ", g.samples, " samples in ", g.seconds, " s");
  logger().info("streamed ", sent, " samples; most waiting for the trainers: ", idle, " s on one rank; at most ",
                in_flight, " in flight per rank");
}

void log_training(const train::TrainingReport& t) {
  if (t.stopped_after || t.history.empty()) return;
  logger().info("trained ", t.history.size(), " epochs; final test rel-L2 ", t.history.back().test_l2, " (H1 ",
                t.history.back().test_h1, "); run directory ", t.run_directory);
}

}  // namespace

OnlineOptions OnlineOptions::parse(const config::Section& s, int world_size) {
  if (world_size < 2)
    s.fail("trainer_ranks", "online training needs at least 2 ranks (one generator, one trainer), got " +
                                std::to_string(world_size));
  OnlineOptions o;
  o.trainer_ranks = s.get<int>("trainer_ranks", std::max(1, world_size / 2), config::at_least(1));
  if (o.trainer_ranks >= world_size)
    s.fail("trainer_ranks", std::to_string(o.trainer_ranks) + " of " + std::to_string(world_size) +
                                " ranks leaves none to generate; at most " + std::to_string(world_size - 1));
  o.max_in_flight = s.get<std::int64_t>("max_in_flight", o.max_in_flight, config::at_least(1));
  o.buffer.capacity = s.get<std::int64_t>("buffer_capacity", 256, config::at_least(1));
  o.buffer.policy = stream::parse_buffer_policy(s.choice("buffer_policy", {"reservoir", "fifo"}, std::string("reservoir")));
  o.buffer.min_fill = s.get<std::int64_t>("min_fill", 0, config::at_least(0));
  o.buffer.deterministic = s.get<bool>("deterministic", false);
  if (!o.buffer.deterministic && s.has("samples_per_step"))
    s.fail("samples_per_step", "applies to deterministic: true (otherwise a step takes what has arrived)");
  o.buffer.per_step = s.get<std::int64_t>("samples_per_step", 0, config::at_least(0));
  // One trainer waits only on generators; trainers each waiting on their own
  // next generator, whose sends wait on another trainer, could wait in a circle.
  if (o.buffer.deterministic && o.trainer_ranks != 1)
    s.fail("deterministic", "needs trainer_ranks: 1, got " + std::to_string(o.trainer_ranks));
  return o;
}

OnlineReport run_online(Environment& env, const config::Document& document, const train::TrainCommand& command) {
  const Communicator& world = env.world();
  const OnlineOptions options = OnlineOptions::parse(document.root().section_or_empty("online"), world.size());
  const config::Document generation = document.part("generate");
  const config::Document training = document.part("train");
  document.finish();

  const int generators = world.size() - options.trainer_ranks;
  OnlineReport report;
  report.generator = world.rank() < generators;
  const Communicator role = world.split(report.generator ? 0 : 1, world.rank());
  const Communicator stream_comm = world.duplicate();  // no other message can match the stream's
  stream::StreamRoute route;
  for (int r = 0; r < world.size(); ++r) (r < generators ? route.generators : route.trainers).push_back(r);

  const RoleLog log(report.generator ? "generate" : "train", role);
  if (report.generator) {
    stream::StreamSender sender(stream_comm, route, options.max_in_flight);
    report.generation = generate::generate_dataset(generate::GenerationContext{env, role, &sender}, generation);
    sender.close();
    report.sent = sender.sent();
    report.generator_idle_seconds = sender.idle_seconds();
    report.most_in_flight = sender.most_in_flight();
    log_generation(report, role);
  } else {
    stream::StreamReceiver receiver(stream_comm, route);
    train::TrainCommand streamed = command;
    streamed.stream = &receiver;
    streamed.buffer = options.buffer;
    report.training = train::train_model(role, training, streamed);
    log_training(report.training);
  }
  quiet_barrier(world);
  return report;
}

}  // namespace opforge::online
