#include "opforge/pde/random.hpp"

#include <cmath>

namespace opforge::pde {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t sample_seed(std::uint64_t global_seed, std::int64_t index, std::uint64_t stream) {
  std::uint64_t state = global_seed;
  std::uint64_t mixed = splitmix64(state);
  state = mixed ^ static_cast<std::uint64_t>(index);
  mixed = splitmix64(state);
  state = mixed ^ (stream * 0xd1b54a32d192ed03ULL);
  return splitmix64(state);
}

Random::Random(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (auto& word : state_) word = splitmix64(state);
}

namespace {
inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

std::uint64_t Random::next() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::array<std::uint64_t, 4> Random::state() const { return {state_[0], state_[1], state_[2], state_[3]}; }

void Random::set_state(const std::array<std::uint64_t, 4>& state) {
  for (std::size_t i = 0; i < 4; ++i) state_[i] = state[i];
  has_spare_ = false;
}

double Random::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * M_PI * u2;
  spare_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

}  // namespace opforge::pde
