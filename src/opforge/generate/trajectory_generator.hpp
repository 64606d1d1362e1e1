#pragma once
/// @file
/// What generation of a time-dependent family (les3d, ns2d) shares: the
/// config read in full first, one writer, each rank simulating samples
/// i = rank mod P (those not kept from an interrupted run), a stop signal
/// honoured after the trajectory in hand, and the report. A family supplies
/// its layout, its provenance and one trajectory at a time.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "opforge/generate/generator.hpp"

namespace opforge::generate {

class TrajectoryFamily {
public:
  virtual ~TrajectoryFamily() = default;
  /// One line for logs and the `pde` provenance attribute.
  virtual std::string describe() const = 0;
  virtual io::DatasetLayout layout(const GenerateOptions& options) const = 0;
  /// Provenance attributes besides pde_type, pde and seed; "solver" at least.
  virtual std::map<std::string, std::string> attributes() const = 0;
  /// Simulates trajectory `index` of `seed` and puts it into `sink`; returns
  /// its time steps. Called once per sample, on one rank.
  virtual std::int64_t simulate(std::int64_t seed, std::int64_t index, io::SampleSink& sink) = 0;
};

/// Parses a family from the `pde:` section (its options; the family's solver is made once per rank).
using TrajectoryFamilyParser = std::function<std::unique_ptr<TrajectoryFamily>(const config::Section& pde)>;

/// A DatasetGenerator for the family `type` that `parse` builds.
std::unique_ptr<DatasetGenerator> make_trajectory_generator(std::string type, TrajectoryFamilyParser parse);

}  // namespace opforge::generate
