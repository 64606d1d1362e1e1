#pragma once
/// @file
/// Move-only owners of FFTW's resources for the pseudo-spectral solvers of
/// pde/ (les3d, ns2d): aligned arrays (FFTW's new-array execute needs the
/// planning alignment) and plans. A private bridge header: only .cpp files
/// of pde/ include it.

#include <fftw3.h>

#include <algorithm>
#include <complex>
#include <cstddef>
#include <mutex>
#include <utility>

#include "opforge/core/error.hpp"

namespace opforge::pde::fftw {

using Complex = std::complex<double>;

inline fftw_complex* as_fftw(Complex* p) { return reinterpret_cast<fftw_complex*>(p); }

/// FFTW's planner is not thread-safe: every plan is made under this lock.
inline std::mutex& planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// FFTW-aligned, zero-initialised array.
template <typename T> class AlignedArray {
public:
  AlignedArray() = default;
  explicit AlignedArray(std::size_t size) : data_(static_cast<T*>(fftw_malloc(sizeof(T) * size))), size_(size) {
    OPFORGE_CHECK(data_ != nullptr, Error, "FFTW: cannot allocate ", sizeof(T) * size, " bytes");
    std::fill(data_, data_ + size, T{});
  }
  AlignedArray(AlignedArray&& other) noexcept : data_(other.data_), size_(other.size_) { other.data_ = nullptr; }
  AlignedArray& operator=(AlignedArray&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  AlignedArray(const AlignedArray&) = delete;
  AlignedArray& operator=(const AlignedArray&) = delete;
  ~AlignedArray() { fftw_free(data_); }
  T* data() const { return data_; }
  T& operator[](std::size_t i) const { return data_[i]; }
  std::size_t size() const { return size_; }

private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Owner of an FFTW plan.
class Plan {
public:
  Plan() = default;
  explicit Plan(fftw_plan plan) : plan_(plan) { OPFORGE_CHECK(plan_ != nullptr, Error, "FFTW planning failed"); }
  Plan(Plan&& other) noexcept : plan_(other.plan_) { other.plan_ = nullptr; }
  Plan& operator=(Plan&& other) noexcept {
    std::swap(plan_, other.plan_);
    return *this;
  }
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;
  ~Plan() {
    if (plan_) fftw_destroy_plan(plan_);
  }
  fftw_plan get() const { return plan_; }

private:
  fftw_plan plan_ = nullptr;
};

}  // namespace opforge::pde::fftw
