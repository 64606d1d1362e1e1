// The hand-written line FFTs (train/spectral/line_dft.hpp) against FFTW's
// guru split interface on exactly their layout: complex transforms along the
// middle axis of [outer, n, inner] arrays of float, real and imaginary parts
// as two planes, the `inner` values (the channels of a points-major field)
// as the lanes. For each case, the transform of every axis of one Fourier
// layer's field, full spectra on both sides, out of place; time per call,
// best of several repeats; FFTW planned with FFTW_MEASURE (or FFTW_PATIENT).
// Both results are compared.
//
//   bench_line_fft_vs_fftw [--repeats 7] [--calls 50] [--patient]
//
// Cases: the LESnets latent grid (21^3, 3 time modes x 8 channels: run 8),
// the 32^3 LESnets models (32^3, 3 x 8) and the Darcy FNO's padded grid
// (73^2, batch 20 x 32 channels).

#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "opforge/train/spectral/line_dft.hpp"

namespace {

struct Case {
  std::string name;
  std::vector<std::int64_t> axes;  ///< spatial points per axis, outermost first
  std::int64_t lanes;              ///< values per point (time modes x batch x channels)
};

template <typename F> double best_ms(int repeats, int calls, F&& body) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int c = 0; c < calls; ++c) body();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, ms / calls);
  }
  return best;
}

void run(const Case& c, int repeats, int calls, unsigned planner) {
  std::int64_t total = c.lanes;
  for (const auto n : c.axes) total *= n;
  // FFTW's SIMD codelets need the arrays aligned as at planning: all from fftwf_alloc.
  struct Buffer {
    explicit Buffer(std::int64_t n) : data(fftwf_alloc_real(static_cast<std::size_t>(n))) {}
    ~Buffer() { fftwf_free(data); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    float& operator[](std::int64_t i) { return data[i]; }
    float* data;
  };
  Buffer x_re(total), x_im(total), a_re(total), a_im(total), b_re(total), b_im(total), keep_re(total), keep_im(total);
  std::mt19937 random(7);
  std::normal_distribution<float> normal;
  for (std::int64_t i = 0; i < total; ++i) {
    x_re[i] = normal(random);
    x_im[i] = normal(random);
  }
  std::printf("%s: %lld points x %lld lanes\n", c.name.c_str(), static_cast<long long>(total / c.lanes),
              static_cast<long long>(c.lanes));
  double line_total = 0, fftw_total = 0;
  for (std::size_t a = 0; a < c.axes.size(); ++a) {
    const std::int64_t n = c.axes[a];
    std::int64_t outer = 1, inner = c.lanes;
    for (std::size_t b = 0; b < a; ++b) outer *= c.axes[b];
    for (std::size_t b = a + 1; b < c.axes.size(); ++b) inner *= c.axes[b];
    const opforge::train::kernels::LineDft line(n, -1);
    opforge::train::kernels::RowMap identity(static_cast<std::size_t>(n));
    std::iota(identity.begin(), identity.end(), 0);
    const double line_ms = best_ms(repeats, calls, [&] {
      line.apply(x_re.data, x_im.data, n, identity, a_re.data, a_im.data, n, identity, outer, inner);
    });

    // One transform of length n with stride `inner`, repeated over the lanes
    // (stride 1) and the outer index (stride n x inner).
    fftwf_iodim dim{static_cast<int>(n), static_cast<int>(inner), static_cast<int>(inner)};
    fftwf_iodim howmany[2] = {{static_cast<int>(outer), static_cast<int>(n * inner), static_cast<int>(n * inner)},
                              {static_cast<int>(inner), 1, 1}};
    std::copy(x_re.data, x_re.data + total, keep_re.data);  // FFTW_MEASURE overwrites its input
    std::copy(x_im.data, x_im.data + total, keep_im.data);
    fftwf_plan plan = fftwf_plan_guru_split_dft(1, &dim, 2, howmany, x_re.data, x_im.data, b_re.data, b_im.data,
                                                planner);
    std::copy(keep_re.data, keep_re.data + total, x_re.data);
    std::copy(keep_im.data, keep_im.data + total, x_im.data);
    const double fftw_ms = best_ms(repeats, calls, [&] {
      fftwf_execute_split_dft(plan, x_re.data, x_im.data, b_re.data, b_im.data);
    });
    fftwf_destroy_plan(plan);

    double worst = 0, scale = 0;
    for (std::int64_t i = 0; i < total; ++i) {
      worst = std::max(worst, static_cast<double>(std::hypot(a_re[i] - b_re[i], a_im[i] - b_im[i])));
      scale = std::max(scale, static_cast<double>(std::hypot(b_re[i], b_im[i])));
    }
    std::printf("  axis %zu (n = %lld, outer %lld, inner %lld): line FFT %.3f ms, FFTW %.3f ms, FFTW/line %.2f, "
                "max difference %.1e relative\n",
                a, static_cast<long long>(n), static_cast<long long>(outer), static_cast<long long>(inner), line_ms,
                fftw_ms, fftw_ms / line_ms, worst / scale);
    line_total += line_ms;
    fftw_total += fftw_ms;
  }
  std::printf("  all axes: line FFT %.3f ms, FFTW %.3f ms, FFTW/line %.2f\n", line_total, fftw_total,
              fftw_total / line_total);
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 7, calls = 50;
  unsigned planner = FFTW_MEASURE;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--patient") == 0) planner = FFTW_PATIENT;
    if (i + 1 < argc && std::strcmp(argv[i], "--repeats") == 0) repeats = std::atoi(argv[i + 1]);
    if (i + 1 < argc && std::strcmp(argv[i], "--calls") == 0) calls = std::atoi(argv[i + 1]);
  }
  std::printf("FFTW planner: %s\n", planner == FFTW_PATIENT ? "FFTW_PATIENT" : "FFTW_MEASURE");
  const std::vector<Case> cases = {{"LESnets latent grid 21^3 (run 8), 3 time modes x 8 channels", {21, 21, 21}, 24},
                                   {"LESnets 32^3, 3 time modes x 8 channels", {32, 32, 32}, 24},
                                   {"Darcy FNO padded 73^2, batch 20 x 32 channels", {73, 73}, 640}};
  for (const auto& c : cases) run(c, repeats, calls, planner);
  return 0;
}
