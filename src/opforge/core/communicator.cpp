#include "opforge/core/communicator.hpp"

#include <utility>

#include "opforge/core/mpi_native.hpp"

namespace opforge {

std::string mpi_error_string(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, static_cast<std::size_t>(length));
}

MPI_Datatype native(Datatype type) {
  switch (type) {
    case Datatype::int8: return MPI_INT8_T;
    case Datatype::uint8: return MPI_UINT8_T;
    case Datatype::int32: return MPI_INT32_T;
    case Datatype::uint32: return MPI_UINT32_T;
    case Datatype::int64: return MPI_INT64_T;
    case Datatype::uint64: return MPI_UINT64_T;
    case Datatype::float32: return MPI_FLOAT;
    case Datatype::float64: return MPI_DOUBLE;
  }
  OPFORGE_THROW(InternalError, "unknown Datatype");
}

MPI_Op native(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return MPI_SUM;
    case ReduceOp::min: return MPI_MIN;
    case ReduceOp::max: return MPI_MAX;
    case ReduceOp::logical_and: return MPI_LAND;
    case ReduceOp::logical_or: return MPI_LOR;
  }
  OPFORGE_THROW(InternalError, "unknown ReduceOp");
}

Communicator Communicator::world() { return Communicator(handle_bits_of(MPI_COMM_WORLD), false); }
Communicator Communicator::self() { return Communicator(handle_bits_of(MPI_COMM_SELF), false); }
Communicator Communicator::adopt(std::uintptr_t bits, bool owned) { return Communicator(bits, owned); }

Communicator::Communicator(Communicator&& other) noexcept
    : handle_(std::exchange(other.handle_, 0)), owned_(std::exchange(other.owned_, false)) {}

Communicator& Communicator::operator=(Communicator&& other) noexcept {
  if (this != &other) {
    release();
    handle_ = std::exchange(other.handle_, 0);
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

Communicator::~Communicator() { release(); }

void Communicator::release() noexcept {
  if (!owned_) return;
  int finalized = 1;
  MPI_Finalized(&finalized);
  if (!finalized) {
    MPI_Comm raw = native(*this);
    MPI_Comm_free(&raw);  // errors cannot be reported from a destructor
  }
  owned_ = false;
  handle_ = 0;
}

Communicator Communicator::duplicate() const {
  MPI_Comm out;
  OPFORGE_MPI_CALL(MPI_Comm_dup(native(*this), &out));
  return Communicator(handle_bits_of(out), true);
}

Communicator Communicator::split(int color, int key) const {
  MPI_Comm out;
  OPFORGE_MPI_CALL(MPI_Comm_split(native(*this), color, key, &out));
  return Communicator(handle_bits_of(out), true);
}

int Communicator::rank() const {
  int r = 0;
  OPFORGE_MPI_CALL(MPI_Comm_rank(native(*this), &r));
  return r;
}

int Communicator::size() const {
  int s = 0;
  OPFORGE_MPI_CALL(MPI_Comm_size(native(*this), &s));
  return s;
}

void Communicator::barrier() const { OPFORGE_MPI_CALL(MPI_Barrier(native(*this))); }

void Communicator::broadcast(void* data, std::size_t count, Datatype type, int root) const {
  OPFORGE_CHECK(count <= static_cast<std::size_t>(INT32_MAX), InternalError, "broadcast of ", count,
                " elements exceeds MPI's int count");
  OPFORGE_MPI_CALL(MPI_Bcast(data, static_cast<int>(count), native(type), root, native(*this)));
}

void Communicator::allreduce_in_place(void* data, std::size_t count, Datatype type,
                                      ReduceOp op) const {
  OPFORGE_CHECK(count <= static_cast<std::size_t>(INT32_MAX), InternalError, "allreduce of ", count,
                " elements exceeds MPI's int count");
  OPFORGE_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(count), native(type), native(op), native(*this)));
}

Request Communicator::iallreduce_in_place(void* data, std::size_t count, Datatype type, ReduceOp op) const {
  OPFORGE_CHECK(count <= static_cast<std::size_t>(INT32_MAX), InternalError, "allreduce of ", count,
                " elements exceeds MPI's int count");
  MPI_Request raw = MPI_REQUEST_NULL;
  OPFORGE_MPI_CALL(
      MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count), native(type), native(op), native(*this), &raw));
  return Request(request_bits_of(raw));
}

std::uintptr_t Request::null_bits() noexcept { return request_bits_of(MPI_REQUEST_NULL); }

Request::Request(Request&& other) noexcept : handle_(other.handle_) { other.handle_ = null_bits(); }

Request& Request::operator=(Request&& other) noexcept {
  if (this != &other) {
    wait_quietly();
    handle_ = other.handle_;
    other.handle_ = null_bits();
  }
  return *this;
}

Request::~Request() { wait_quietly(); }

void Request::wait_quietly() noexcept {
  try {
    wait();
  } catch (...) {
    // Called where nothing may throw; MPI's error handler has reported it.
  }
}

bool Request::test() {
  if (!pending()) return true;
  MPI_Request raw = native_request(handle_);
  int done = 0;
  OPFORGE_MPI_CALL(MPI_Test(&raw, &done, MPI_STATUS_IGNORE));
  handle_ = request_bits_of(raw);
  return done != 0;
}

void Request::wait() {
  if (!pending()) return;
  MPI_Request raw = native_request(handle_);
  OPFORGE_MPI_CALL(MPI_Wait(&raw, MPI_STATUS_IGNORE));
  handle_ = request_bits_of(raw);
}

std::string Communicator::broadcast(const std::string& value, int root) const {
  std::vector<char> bytes(value.begin(), value.end());
  broadcast(bytes, root);
  return std::string(bytes.begin(), bytes.end());
}

bool Communicator::all_of(bool local) const {
  std::int32_t flag = local ? 1 : 0;
  allreduce_in_place(&flag, 1, Datatype::int32, ReduceOp::min);
  return flag == 1;
}

}  // namespace opforge
