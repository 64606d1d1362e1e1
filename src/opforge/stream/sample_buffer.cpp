#include "opforge/stream/sample_buffer.hpp"

#include <algorithm>

#include "opforge/core/error.hpp"

namespace opforge::stream {

BufferPolicy parse_buffer_policy(const std::string& name) {
  if (name == "fifo") return BufferPolicy::fifo;
  if (name == "reservoir") return BufferPolicy::reservoir;
  OPFORGE_THROW(UsageError, "unknown buffer policy '", name, "' (fifo, reservoir)");
}

const char* to_string(BufferPolicy policy) { return policy == BufferPolicy::fifo ? "fifo" : "reservoir"; }

SampleBuffer::SampleBuffer(std::int64_t capacity, BufferPolicy policy, std::uint64_t seed)
    : policy_(policy), random_(seed) {
  OPFORGE_CHECK(capacity >= 1, UsageError, "buffer capacity must be at least 1, got ", capacity);
  slots_.resize(static_cast<std::size_t>(capacity));
}

void SampleBuffer::evict(Slot& slot) {
  if (slot.index >= 0 && slot.draws == 0) ++counts_.evicted_unused;
  slot = Slot{};
}

std::int64_t SampleBuffer::admit(std::int64_t index) {
  ++counts_.seen;
  std::int64_t slot = -1;
  if (filled_ < capacity()) {
    slot = filled_++;
  } else if (policy_ == BufferPolicy::fifo) {
    slot = next_fifo_;
    next_fifo_ = (next_fifo_ + 1) % capacity();
  } else {
    const auto j = static_cast<std::int64_t>(random_.next() % static_cast<std::uint64_t>(counts_.seen));
    if (j >= capacity()) {
      ++counts_.evicted_unused;  // never entered
      return -1;
    }
    slot = j;
  }
  Slot& target = slots_[static_cast<std::size_t>(slot)];
  evict(target);
  target.index = index;
  return slot;
}

std::vector<std::int64_t> SampleBuffer::draw(std::int64_t count) {
  // A partial Fisher-Yates over the occupied slots (0 .. filled-1): distinct and uniform.
  std::vector<std::int64_t> order(static_cast<std::size_t>(filled_));
  for (std::int64_t i = 0; i < filled_; ++i) order[static_cast<std::size_t>(i)] = i;
  const std::int64_t n = std::min(count, filled_);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto j = i + static_cast<std::int64_t>(random_.next() % static_cast<std::uint64_t>(filled_ - i));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    Slot& slot = slots_[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])];
    if (slot.draws++ == 0) ++counts_.unique_drawn;
    ++counts_.draws;
  }
  order.resize(static_cast<std::size_t>(n));
  return order;
}

}  // namespace opforge::stream
