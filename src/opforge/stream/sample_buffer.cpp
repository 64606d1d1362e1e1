#include "opforge/stream/sample_buffer.hpp"

#include <algorithm>
#include <istream>
#include <ostream>

#include "opforge/core/error.hpp"

namespace opforge::stream {

BufferPolicy parse_buffer_policy(const std::string& name) {
  if (name == "fifo") return BufferPolicy::fifo;
  if (name == "reservoir") return BufferPolicy::reservoir;
  OPFORGE_THROW(UsageError, "unknown buffer policy '", name, "' (fifo, reservoir)");
}

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

void SampleBuffer::save(std::ostream& out) const {
  out << "buffer " << slots_.size() << ' ' << filled_ << ' ' << next_fifo_;
  for (const Slot& slot : slots_) out << ' ' << slot.index << ' ' << slot.draws;
  out << ' ' << counts_.seen << ' ' << counts_.evicted_unused << ' ' << counts_.unique_drawn << ' ' << counts_.draws;
  for (const std::uint64_t word : random_.state()) out << ' ' << word;
  out << '\n';
}

void SampleBuffer::load(std::istream& in) {
  std::string tag;
  std::size_t capacity = 0;
  in >> tag >> capacity >> filled_ >> next_fifo_;
  OPFORGE_CHECK(in && tag == "buffer" && capacity == slots_.size(), UsageError,
                "a buffer state of capacity ", capacity, " for a buffer of ", slots_.size());
  for (Slot& slot : slots_) in >> slot.index >> slot.draws;
  in >> counts_.seen >> counts_.evicted_unused >> counts_.unique_drawn >> counts_.draws;
  std::array<std::uint64_t, 4> state{};
  for (std::uint64_t& word : state) in >> word;
  OPFORGE_CHECK(in, UsageError, "a truncated buffer state");
  random_.set_state(state);
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
