#pragma once
/// @file
/// Portable, reproducible random numbers. Sample i's random fields depend only
/// on (global seed, i, stream), never on rank counts or solve order, and are
/// the same on every platform (std::normal_distribution is not).

#include <array>
#include <cstdint>

namespace opforge::pde {

/// One step of SplitMix64: a good 64-bit mixer for deriving seeds.
std::uint64_t splitmix64(std::uint64_t& state);

/// The seed of stream `stream` of sample `index` under `global_seed`.
std::uint64_t sample_seed(std::uint64_t global_seed, std::int64_t index, std::uint64_t stream = 0);

/// xoshiro256** generator with uniform and normal variates.
class Random {
public:
  explicit Random(std::uint64_t seed);
  std::uint64_t next();
  /// Uniform on [0, 1) with 53 random bits.
  double uniform();
  /// Uniform on [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Standard normal (Box-Muller, both values used).
  double normal();
  /// The generator's position, to continue it elsewhere (a checkpoint); the
  /// spare normal variate is not part of it, so only for next()/uniform() streams.
  std::array<std::uint64_t, 4> state() const;
  void set_state(const std::array<std::uint64_t, 4>& state);

private:
  std::uint64_t state_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace opforge::pde
