#pragma once
/// @file
/// A move-only MPI communicator owner with the few typed collectives opforge
/// needs. mpi.h stays out of this header: code that needs the raw MPI_Comm
/// includes opforge/core/mpi_native.hpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace opforge {

/// Element types the collectives understand.
enum class Datatype { int8, uint8, int32, uint32, int64, uint64, float32, float64 };
/// Reductions the collectives understand.
enum class ReduceOp { sum, min, max, logical_and, logical_or };

template <typename T> constexpr Datatype datatype_of() {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::uint8_t>) return Datatype::uint8;
  else if constexpr (std::is_same_v<T, std::int8_t> || std::is_same_v<T, char>) return Datatype::int8;
  else if constexpr (std::is_same_v<T, std::int32_t>) return Datatype::int32;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return Datatype::uint32;
  else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, long long>) return Datatype::int64;
  else if constexpr (std::is_same_v<T, std::uint64_t> || std::is_same_v<T, unsigned long long>) return Datatype::uint64;
  else if constexpr (std::is_same_v<T, float>) return Datatype::float32;
  else if constexpr (std::is_same_v<T, double>) return Datatype::float64;
  else static_assert(sizeof(T) == 0, "type has no MPI datatype mapping");
}

/// Owner of a pending non-blocking operation's MPI_Request. A collective
/// cannot be cancelled or freed while pending, so destruction waits for it.
class Request {
public:
  Request() noexcept = default;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;
  Request(Request&& other) noexcept;
  Request& operator=(Request&& other) noexcept;
  ~Request();

  bool pending() const noexcept { return handle_ != null_bits(); }
  /// Drives progress; true once the operation has completed.
  bool test();
  void wait();

private:
  friend class Communicator;
  explicit Request(std::uintptr_t handle_bits) noexcept : handle_(handle_bits) {}
  static std::uintptr_t null_bits() noexcept;
  /// wait(), for the destructor and move assignment: errors are swallowed.
  void wait_quietly() noexcept;
  std::uintptr_t handle_ = null_bits();
};

/// Owner (or non-owning view, for MPI_COMM_WORLD/SELF) of an MPI communicator.
/// Owned communicators are freed on destruction while MPI is still running.
class Communicator {
public:
  /// Non-owning view of MPI_COMM_WORLD.
  static Communicator world();
  /// Non-owning view of MPI_COMM_SELF.
  static Communicator self();

  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;
  Communicator(Communicator&& other) noexcept;
  Communicator& operator=(Communicator&& other) noexcept;
  ~Communicator();

  /// A new, owned communicator with the same group (collective).
  Communicator duplicate() const;
  /// Ranks with equal colour form a new owned communicator, ordered by key (collective).
  Communicator split(int color, int key) const;

  int rank() const;
  int size() const;
  void barrier() const;

  void broadcast(void* data, std::size_t count, Datatype type, int root) const;
  void allreduce_in_place(void* data, std::size_t count, Datatype type, ReduceOp op) const;
  /// Non-blocking allreduce (MPI_Iallreduce); `data` must stay alive and
  /// untouched until the request completes. Every rank must start its
  /// non-blocking collectives in the same order.
  Request iallreduce_in_place(void* data, std::size_t count, Datatype type, ReduceOp op) const;

  template <typename T> void broadcast(T* data, std::size_t count, int root) const {
    broadcast(data, count, datatype_of<T>(), root);
  }
  template <typename T> void broadcast(std::vector<T>& values, int root) const {
    std::uint64_t n = values.size();
    broadcast(&n, 1, root);
    values.resize(n);
    broadcast(values.data(), values.size(), root);
  }
  /// Broadcast a string from root; returns the root's string on every rank.
  std::string broadcast(const std::string& value, int root) const;

  template <typename T> T allreduce(T value, ReduceOp op) const {
    allreduce_in_place(&value, 1, datatype_of<T>(), op);
    return value;
  }
  template <typename T> void allreduce(std::vector<T>& values, ReduceOp op) const {
    allreduce_in_place(values.data(), values.size(), datatype_of<T>(), op);
  }
  /// True on every rank iff `local` is true on every rank.
  bool all_of(bool local) const;

  /// The raw handle's bits; use opforge::native() from mpi_native.hpp.
  std::uintptr_t handle_bits() const noexcept { return handle_; }
  static Communicator adopt(std::uintptr_t handle_bits, bool owned);

private:
  Communicator(std::uintptr_t handle_bits, bool owned) noexcept : handle_(handle_bits), owned_(owned) {}
  void release() noexcept;

  std::uintptr_t handle_ = 0;
  bool owned_ = false;
};

}  // namespace opforge
