#pragma once
/// @file
/// A trainer rank's bounded sample buffer for online training: which
/// samples it keeps (FIFO or reservoir), which it draws for each batch, and
/// the counts that say how the stream was used. Only slots and indices live
/// here; the values live with the trainer's data (train/data/streamed_examples).
///
/// - fifo: a new sample always enters; when full, the oldest leaves.
/// - reservoir (Vitter's algorithm R, as Melissa's buffer): the n-th sample
///   enters with probability capacity / n, replacing a uniformly chosen one,
///   so the buffer is a uniform sample of everything seen so far.
/// A sample that leaves (or never enters) before any batch drew it is
/// counted as evicted unused; draws of a sample after its first count as reuse.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "opforge/pde/random.hpp"

namespace opforge::stream {

enum class BufferPolicy { fifo, reservoir };

BufferPolicy parse_buffer_policy(const std::string& name);  ///< "fifo" | "reservoir"

/// A trainer rank's buffer, as the `online:` section sets it.
struct BufferOptions {
  std::int64_t capacity = 0;  ///< samples held per trainer rank
  BufferPolicy policy = BufferPolicy::reservoir;
  /// Samples a trainer rank holds before its first step (never fewer than its part of a batch).
  std::int64_t min_fill = 0;
  /// Admission independent of timing (for tests and comparisons): before
  /// each step a trainer rank takes exactly `per_step` samples (after the
  /// first min_fill), round-robin over the generators, each generator's in
  /// the order it sent them, waiting for them if need be.
  bool deterministic = false;
  std::int64_t per_step = 0;  ///< 0: the rank's part of a batch
};

struct BufferCounts {
  std::int64_t seen = 0;            ///< samples offered
  std::int64_t evicted_unused = 0;  ///< left (or refused) before any batch drew them
  std::int64_t unique_drawn = 0;    ///< distinct samples drawn at least once
  std::int64_t draws = 0;           ///< batch positions filled
  /// Draws per sample drawn (1: every sample trained on once).
  double mean_reuse() const { return unique_drawn ? double(draws) / double(unique_drawn) : 0.0; }
};

class SampleBuffer {
public:
  SampleBuffer(std::int64_t capacity, BufferPolicy policy, std::uint64_t seed);

  /// Offers sample `index`: the slot it now occupies (its previous occupant
  /// evicted), or -1 when the reservoir does not keep it.
  std::int64_t admit(std::int64_t index);
  /// `count` distinct occupied slots, uniformly (all of them when fewer are
  /// occupied), counted as drawn.
  std::vector<std::int64_t> draw(std::int64_t count);

  std::int64_t capacity() const { return static_cast<std::int64_t>(slots_.size()); }
  std::int64_t filled() const { return filled_; }
  std::int64_t index_at(std::int64_t slot) const { return slots_[static_cast<std::size_t>(slot)].index; }
  const BufferCounts& counts() const { return counts_; }
  /// Everything above plus the random position, as text, and back (a
  /// checkpoint); load() throws UsageError on text save() did not write.
  void save(std::ostream& out) const;
  void load(std::istream& in);

private:
  struct Slot {
    std::int64_t index = -1;
    std::int64_t draws = 0;
  };
  void evict(Slot& slot);
  std::vector<Slot> slots_;
  std::int64_t filled_ = 0;
  std::int64_t next_fifo_ = 0;  ///< the oldest slot once full
  BufferPolicy policy_;
  pde::Random random_;
  BufferCounts counts_;
};

}  // namespace opforge::stream
