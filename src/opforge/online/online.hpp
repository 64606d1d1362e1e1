#pragma once
/// @file
/// `opforge online`: one MPI job that generates a dataset and trains on its
/// samples as they are made. The config has three parts: `generate:` (the
/// schema of `opforge generate`), `train:` (the schema of `opforge train`,
/// its data.path the held-out dataset) and `online:` (the split, the
/// transport's bound and the buffer; docs/online.md).

#include <cstdint>

#include "opforge/config/config.hpp"
#include "opforge/generate/generator.hpp"
#include "opforge/stream/sample_buffer.hpp"
#include "opforge/train/loop/trainer.hpp"

namespace opforge {
class Environment;
}

namespace opforge::online {

/// The `online:` section.
struct OnlineOptions {
  int trainer_ranks = 0;           ///< the last ranks of the world train; the others generate
  std::int64_t max_in_flight = 4;  ///< samples a generator rank may have sent but not yet had taken
  stream::BufferOptions buffer;
  /// Validates against the world size: at least one rank of each role.
  static OnlineOptions parse(const config::Section& section, int world_size);
};

struct OnlineReport {
  bool generator = false;                  ///< this rank's role
  generate::GenerationReport generation;   ///< generator ranks
  std::int64_t sent = 0;                   ///< generator ranks: samples this rank streamed
  double generator_idle_seconds = 0;       ///< generator ranks: this rank's waits for the trainers
  std::int64_t most_in_flight = 0;         ///< generator ranks: the most open sends seen
  train::TrainingReport training;          ///< trainer ranks
};

/// Collective over the world. `command` is the trainer's (resume, stop for
/// tests); its stream fields are set here.
OnlineReport run_online(Environment& env, const config::Document& document, const train::TrainCommand& command);

}  // namespace opforge::online
