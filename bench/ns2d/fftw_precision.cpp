// What float32 would buy the ns2d step: FFTW's real 2-D transforms at the
// step's size in double and in single precision, with the planner flags
// ns2d uses (FFTW_ESTIMATE: the same plan on every rank) and FFTW_MEASURE.
// A step is one r2c and four c2r transforms (src/opforge/pde/ns2d.cpp).
//
//   build/bin/bench_ns2d_fftw_precision [--size 256] [--repeats 2000] [--rounds 5]
//
// Prints the best of `rounds` for one r2c + c2r pair, per precision and flag.

#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string>

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Best time of one forward + inverse pair; Api is the double or float FFTW.
template <typename Real, typename Complex, typename PlanT, typename Api>
double best_pair_seconds(int n, int repeats, int rounds, unsigned flags, const Api& api) {
  const int half = n / 2 + 1;
  auto* x = static_cast<Real*>(api.malloc(sizeof(Real) * n * n));
  auto* spectrum = static_cast<Complex*>(api.malloc(sizeof(Complex) * n * half));
  PlanT forward = api.r2c(n, n, x, spectrum, flags), inverse = api.c2r(n, n, spectrum, x, flags);
  for (int i = 0; i < n * n; ++i) x[i] = Real(i % 7) / Real(n);  // after planning: MEASURE overwrites
  double best = std::numeric_limits<double>::max();
  for (int round = 0; round < rounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeats; ++r) {
      api.execute(forward);
      api.execute(inverse);
    }
    best = std::min(best, seconds_since(start) / repeats);
  }
  api.destroy(forward);
  api.destroy(inverse);
  api.free(x);
  api.free(spectrum);
  return best;
}

struct DoubleApi {
  void* (*malloc)(size_t) = fftw_malloc;
  void (*free)(void*) = fftw_free;
  fftw_plan (*r2c)(int, int, double*, fftw_complex*, unsigned) = fftw_plan_dft_r2c_2d;
  fftw_plan (*c2r)(int, int, fftw_complex*, double*, unsigned) = fftw_plan_dft_c2r_2d;
  void (*execute)(const fftw_plan) = fftw_execute;
  void (*destroy)(fftw_plan) = fftw_destroy_plan;
};
struct FloatApi {
  void* (*malloc)(size_t) = fftwf_malloc;
  void (*free)(void*) = fftwf_free;
  fftwf_plan (*r2c)(int, int, float*, fftwf_complex*, unsigned) = fftwf_plan_dft_r2c_2d;
  fftwf_plan (*c2r)(int, int, fftwf_complex*, float*, unsigned) = fftwf_plan_dft_c2r_2d;
  void (*execute)(const fftwf_plan) = fftwf_execute;
  void (*destroy)(fftwf_plan) = fftwf_destroy_plan;
};

}  // namespace

int main(int argc, char** argv) {
  int n = 256, repeats = 2000, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::stoi(argv[i + 1]);
    if (flag == "--size") n = value;
    else if (flag == "--repeats") repeats = value;
    else if (flag == "--rounds") rounds = value;
  }
  std::printf("%d x %d, one r2c + one c2r, best of %d rounds of %d\n", n, n, rounds, repeats);
  for (const auto& [name, flags] : {std::pair<const char*, unsigned>{"FFTW_ESTIMATE", FFTW_ESTIMATE},
                                    std::pair<const char*, unsigned>{"FFTW_MEASURE", FFTW_MEASURE}}) {
    const double d = best_pair_seconds<double, fftw_complex, fftw_plan>(n, repeats, rounds, flags, DoubleApi{});
    const double f = best_pair_seconds<float, fftwf_complex, fftwf_plan>(n, repeats, rounds, flags, FloatApi{});
    std::printf("%-14s double %.3f ms  float %.3f ms  float faster by %.2fx\n", name, d * 1e3, f * 1e3, d / f);
  }
  return 0;
}
