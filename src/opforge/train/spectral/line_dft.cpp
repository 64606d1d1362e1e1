#include "opforge/train/spectral/line_dft.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "opforge/core/error.hpp"

// The per-line drivers are cloned per instruction set; the stage templates
// are inlined into each clone, whose loops over lanes vectorise (-O3).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define OPFORGE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define OPFORGE_INLINE inline __attribute__((always_inline))
#else
#define OPFORGE_CLONES
#define OPFORGE_INLINE inline
#endif

namespace opforge::train::kernels {

namespace {

/// Lanes per pass: the two work buffers of a 21-point line (21 rows x 2
/// planes x 128 floats each, 43 KB) stay in the second-level cache. 64
/// lanes took 20% longer on the wide axes; 256 and 512 were within the
/// noise of 128.
constexpr std::int64_t tile = 128;

std::vector<int> radices_of(std::int64_t n) {
  std::vector<int> radices;
  for (; n % 4 == 0; n /= 4) radices.push_back(4);
  for (; n % 2 == 0; n /= 2) radices.push_back(2);
  for (std::int64_t p = 3; n > 1; p += 2) {
    if (p * p > n) p = n;
    for (; n % p == 0; n /= p) radices.push_back(static_cast<int>(p));
  }
  return radices;
}

template <typename T>
struct StageData {
  const T *twiddle_re, *twiddle_im, *root_cos, *root_sin;
};
StageData<double> data_of(const LineDft::Stage& s, double) {
  return {s.twiddle_re.data(), s.twiddle_im.data(), s.root_cos.data(), s.root_sin.data()};
}
StageData<float> data_of(const LineDft::Stage& s, float) {
  return {s.twiddle_re_f.data(), s.twiddle_im_f.data(), s.root_cos_f.data(), s.root_sin_f.data()};
}

/// y = DFT_P(x) for one lane, P odd: with S_t = x_t + x_{P-t} and D_t = x_t -
/// x_{P-t}, X_u = x_0 + sum_t cos_tu S_t + i sum_t (sign sin_tu) D_t and
/// X_{P-u} the same with -i: a quarter of the products of the dense form.
template <int P, typename T>
OPFORGE_INLINE void small_dft_odd(const T* xr, const T* xi, T* yr, T* yi, const T (&c)[P][P], const T (&s)[P][P]) {
  constexpr int h = (P - 1) / 2;
  T sr[h + 1], si[h + 1], dr[h + 1], di[h + 1];
  T y0r = xr[0], y0i = xi[0];
  for (int t = 1; t <= h; ++t) {
    sr[t] = xr[t] + xr[P - t];
    si[t] = xi[t] + xi[P - t];
    dr[t] = xr[t] - xr[P - t];
    di[t] = xi[t] - xi[P - t];
    y0r += sr[t];
    y0i += si[t];
  }
  yr[0] = y0r;
  yi[0] = y0i;
  for (int u = 1; u <= h; ++u) {
    T ar = xr[0], ai = xi[0], br = 0, bi = 0;
    for (int t = 1; t <= h; ++t) {
      ar += c[u][t] * sr[t];
      ai += c[u][t] * si[t];
      br += s[u][t] * dr[t];
      bi += s[u][t] * di[t];
    }
    yr[u] = ar - bi;
    yi[u] = ai + br;
    yr[P - u] = ar + bi;
    yi[P - u] = ai - br;
  }
}

/// One Stockham stage of radix P on a tile of `width` lanes: with m =
/// length / P, the inputs (j + t m) s + q, t < P, go through a P-point
/// butterfly and the twiddles w^(j u) to the outputs (P j + u) s + q.
template <int P, typename T>
OPFORGE_INLINE void radix_stage(const T* const* in_re, const T* const* in_im, T* const* out_re, T* const* out_im,
                                const LineDft::Stage& stage, const StageData<T>& data, int sign, std::int64_t width) {
  const std::int64_t m = stage.length / P, s = stage.stride;
  T c[P][P], sn[P][P];
  for (int u = 0; u < P; ++u)
    for (int t = 0; t < P; ++t) {
      c[u][t] = data.root_cos[u * P + t];
      sn[u][t] = data.root_sin[u * P + t];
    }
  const T sg = static_cast<T>(sign);
  for (std::int64_t j = 0; j < m; ++j) {
    T wr[P], wi[P];
    wr[0] = 1;
    wi[0] = 0;
    for (int u = 1; u < P; ++u) {
      wr[u] = data.twiddle_re[j * (P - 1) + u - 1];
      wi[u] = data.twiddle_im[j * (P - 1) + u - 1];
    }
    for (std::int64_t q = 0; q < s; ++q) {
      const T *ar[P], *ai[P];
      T *br[P], *bi[P];
      for (int t = 0; t < P; ++t) {
        ar[t] = in_re[(j + t * m) * s + q];
        ai[t] = in_im[(j + t * m) * s + q];
        br[t] = out_re[(P * j + t) * s + q];
        bi[t] = out_im[(P * j + t) * s + q];
      }
#pragma GCC ivdep
      for (std::int64_t v = 0; v < width; ++v) {
        T xr[P], xi[P], yr[P], yi[P];
        for (int t = 0; t < P; ++t) {
          xr[t] = ar[t][v];
          xi[t] = ai[t][v];
        }
        if constexpr (P == 2) {
          yr[0] = xr[0] + xr[1];
          yi[0] = xi[0] + xi[1];
          yr[1] = xr[0] - xr[1];
          yi[1] = xi[0] - xi[1];
        } else if constexpr (P == 4) {  // X_1 = t1 + w t3, X_3 = t1 - w t3, w = sign i
          const T t0r = xr[0] + xr[2], t0i = xi[0] + xi[2], t1r = xr[0] - xr[2], t1i = xi[0] - xi[2];
          const T t2r = xr[1] + xr[3], t2i = xi[1] + xi[3], t3r = xr[1] - xr[3], t3i = xi[1] - xi[3];
          yr[0] = t0r + t2r;
          yi[0] = t0i + t2i;
          yr[2] = t0r - t2r;
          yi[2] = t0i - t2i;
          yr[1] = t1r - sg * t3i;
          yi[1] = t1i + sg * t3r;
          yr[3] = t1r + sg * t3i;
          yi[3] = t1i - sg * t3r;
        } else {
          small_dft_odd<P>(xr, xi, yr, yi, c, sn);
        }
        br[0][v] = yr[0];
        bi[0][v] = yi[0];
        for (int u = 1; u < P; ++u) {
          br[u][v] = yr[u] * wr[u] - yi[u] * wi[u];
          bi[u][v] = yr[u] * wi[u] + yi[u] * wr[u];
        }
      }
    }
  }
}

/// The same stage for any radix, by the dense butterfly (a prime factor
/// above 7: O(P^2) per P points).
template <typename T>
void generic_stage(const T* const* in_re, const T* const* in_im, T* const* out_re, T* const* out_im,
                   const LineDft::Stage& stage, const StageData<T>& data, std::int64_t width) {
  const int p = stage.radix;
  const std::int64_t m = stage.length / p, s = stage.stride;
  for (std::int64_t j = 0; j < m; ++j)
    for (std::int64_t q = 0; q < s; ++q)
      for (int u = 0; u < p; ++u) {
        T* yr = out_re[(p * j + u) * s + q];
        T* yi = out_im[(p * j + u) * s + q];
        std::fill(yr, yr + width, T(0));
        std::fill(yi, yi + width, T(0));
        for (int t = 0; t < p; ++t) {
          const T c = data.root_cos[u * p + t], sn = data.root_sin[u * p + t];
          const T* xr = in_re[(j + t * m) * s + q];
          const T* xi = in_im[(j + t * m) * s + q];
          for (std::int64_t v = 0; v < width; ++v) {
            yr[v] += xr[v] * c - xi[v] * sn;
            yi[v] += xr[v] * sn + xi[v] * c;
          }
        }
        if (u == 0) continue;
        const T wr = data.twiddle_re[j * (p - 1) + u - 1], wi = data.twiddle_im[j * (p - 1) + u - 1];
        for (std::int64_t v = 0; v < width; ++v) {
          const T re = yr[v];
          yr[v] = re * wr - yi[v] * wi;
          yi[v] = re * wi + yi[v] * wr;
        }
      }
}

/// Row pointers of one tile: the input's (or zeros), two work buffers',
/// the output's (or a scratch row for a frequency not kept).
template <typename T>
struct TileRows {
  std::vector<const T*> in_re, in_im;
  std::vector<T*> out_re, out_im, work_re[2], work_im[2];
};

template <typename T>
OPFORGE_INLINE void run_tile(const std::vector<LineDft::Stage>& stages, int sign, TileRows<T>& rows,
                             std::int64_t width) {
  const auto count = stages.size();
  if (count == 0) {  // n = 1
    std::copy(rows.in_re[0], rows.in_re[0] + width, rows.out_re[0]);
    std::copy(rows.in_im[0], rows.in_im[0] + width, rows.out_im[0]);
    return;
  }
  for (std::size_t i = 0; i < count; ++i) {
    const auto& stage = stages[i];
    const auto data = data_of(stage, T());
    const T* const* in_re = i == 0 ? rows.in_re.data() : const_cast<const T* const*>(rows.work_re[(i - 1) % 2].data());
    const T* const* in_im = i == 0 ? rows.in_im.data() : const_cast<const T* const*>(rows.work_im[(i - 1) % 2].data());
    T* const* out_re = i + 1 == count ? rows.out_re.data() : rows.work_re[i % 2].data();
    T* const* out_im = i + 1 == count ? rows.out_im.data() : rows.work_im[i % 2].data();
    switch (stage.radix) {
      case 2: radix_stage<2>(in_re, in_im, out_re, out_im, stage, data, sign, width); break;
      case 3: radix_stage<3>(in_re, in_im, out_re, out_im, stage, data, sign, width); break;
      case 4: radix_stage<4>(in_re, in_im, out_re, out_im, stage, data, sign, width); break;
      case 5: radix_stage<5>(in_re, in_im, out_re, out_im, stage, data, sign, width); break;
      case 7: radix_stage<7>(in_re, in_im, out_re, out_im, stage, data, sign, width); break;
      default: generic_stage(in_re, in_im, out_re, out_im, stage, data, width);
    }
  }
}

template <typename T>
struct Lines {
  const T *x_re, *x_im;
  std::int64_t x_rows;
  const RowMap* point_rows;
  T *y_re, *y_im;
  std::int64_t y_rows;
  const RowMap* frequency_rows;
  std::int64_t outer, inner;
};

template <typename T>
OPFORGE_INLINE void run_lines(const std::vector<LineDft::Stage>& stages, int sign, std::int64_t n, const Lines<T>& l) {
  // Per thread, grown once (allocating per call faulted in fresh pages): a
  // row of zeros, a scratch row pair, then the two work buffers.
  thread_local std::vector<T> buffer;
  const auto size = static_cast<std::size_t>((4 * n + 3) * tile);
  if (buffer.size() < size) buffer.resize(size);
  T* zeros = buffer.data();
  T* scratch = zeros + tile;
  std::fill(zeros, zeros + tile, T(0));
  TileRows<T> rows;
  rows.in_re.resize(n);
  rows.in_im.resize(n);
  rows.out_re.resize(n);
  rows.out_im.resize(n);
  for (int b = 0; b < 2; ++b) {
    rows.work_re[b].resize(n);
    rows.work_im[b].resize(n);
    T* base = buffer.data() + (3 + 2 * b * n) * tile;
    for (std::int64_t e = 0; e < n; ++e) {
      rows.work_re[b][e] = base + e * tile;
      rows.work_im[b][e] = base + (n + e) * tile;
    }
  }
  const auto& point_rows = *l.point_rows;
  const auto& frequency_rows = *l.frequency_rows;
  for (std::int64_t o = 0; o < l.outer; ++o)
    for (std::int64_t v0 = 0; v0 < l.inner; v0 += tile) {
      const auto width = std::min(tile, l.inner - v0);
      for (std::int64_t e = 0; e < n; ++e) {
        const auto r = point_rows[e];
        const auto offset = (o * l.x_rows + r) * l.inner + v0;
        rows.in_re[e] = r < 0 ? zeros : l.x_re + offset;
        rows.in_im[e] = r < 0 ? zeros : l.x_im + offset;
        const auto k = frequency_rows[e];
        const auto out_offset = (o * l.y_rows + k) * l.inner + v0;
        rows.out_re[e] = k < 0 ? scratch : l.y_re + out_offset;
        rows.out_im[e] = k < 0 ? scratch + tile : l.y_im + out_offset;
      }
      run_tile(stages, sign, rows, width);
    }
}

OPFORGE_CLONES void run_lines_float(const std::vector<LineDft::Stage>& stages, int sign, std::int64_t n,
                                    const Lines<float>& lines) {
  run_lines(stages, sign, n, lines);
}
OPFORGE_CLONES void run_lines_double(const std::vector<LineDft::Stage>& stages, int sign, std::int64_t n,
                                     const Lines<double>& lines) {
  run_lines(stages, sign, n, lines);
}
void run_lines_typed(const std::vector<LineDft::Stage>& stages, int sign, std::int64_t n, const Lines<float>& l) {
  run_lines_float(stages, sign, n, l);
}
void run_lines_typed(const std::vector<LineDft::Stage>& stages, int sign, std::int64_t n, const Lines<double>& l) {
  run_lines_double(stages, sign, n, l);
}

}  // namespace

LineDft::LineDft(std::int64_t n, int sign) : n_(n), sign_(sign) {
  OPFORGE_CHECK(n >= 1 && (sign == 1 || sign == -1), UsageError, "line DFT: ", n, " points, sign ", sign);
  std::int64_t length = n, stride = 1;
  for (const int p : radices_of(n)) {
    Stage stage;
    stage.radix = p;
    stage.length = length;
    stage.stride = stride;
    const std::int64_t m = length / p;
    for (std::int64_t j = 0; j < m; ++j)
      for (int u = 1; u < p; ++u) {
        // j u reduced mod length keeps the angle exact for large lengths
        const double angle = sign * 2.0 * M_PI * double((j * u) % length) / double(length);
        stage.twiddle_re.push_back(std::cos(angle));
        stage.twiddle_im.push_back(std::sin(angle));
      }
    for (int u = 0; u < p; ++u)
      for (int t = 0; t < p; ++t) {
        const double angle = 2.0 * M_PI * double((u * t) % p) / double(p);
        stage.root_cos.push_back(std::cos(angle));
        stage.root_sin.push_back(sign * std::sin(angle));
      }
    stage.twiddle_re_f.assign(stage.twiddle_re.begin(), stage.twiddle_re.end());
    stage.twiddle_im_f.assign(stage.twiddle_im.begin(), stage.twiddle_im.end());
    stage.root_cos_f.assign(stage.root_cos.begin(), stage.root_cos.end());
    stage.root_sin_f.assign(stage.root_sin.begin(), stage.root_sin.end());
    stages_.push_back(std::move(stage));
    length = m;
    stride *= p;
  }
}

template <typename T>
void LineDft::apply(const T* x_re, const T* x_im, std::int64_t x_rows, const RowMap& point_rows, T* y_re, T* y_im,
                    std::int64_t y_rows, const RowMap& frequency_rows, std::int64_t outer, std::int64_t inner) const {
  OPFORGE_CHECK(static_cast<std::int64_t>(point_rows.size()) == n_ &&
                    static_cast<std::int64_t>(frequency_rows.size()) == n_,
                UsageError, "line DFT: row maps need ", n_, " entries");
  run_lines_typed(stages_, sign_, n_,
                  Lines<T>{x_re, x_im, x_rows, &point_rows, y_re, y_im, y_rows, &frequency_rows, outer, inner});
}

template void LineDft::apply(const float*, const float*, std::int64_t, const RowMap&, float*, float*, std::int64_t,
                             const RowMap&, std::int64_t, std::int64_t) const;
template void LineDft::apply(const double*, const double*, std::int64_t, const RowMap&, double*, double*,
                             std::int64_t, const RowMap&, std::int64_t, std::int64_t) const;

namespace {

/// Lanes per block of the dense real-axis products: one AVX2 vector, the
/// channels of a LESnets sample (the whole block's sums stay in registers).
constexpr std::int64_t lanes = 8;

template <typename T>
struct LaneVector;
template <>
struct LaneVector<float> {
  typedef float type __attribute__((vector_size(lanes * sizeof(float))));
};
template <>
struct LaneVector<double> {
  typedef double type __attribute__((vector_size(lanes * sizeof(double))));
};

/// y_r[lanes] = sum_j a[r, j] x_j[lanes] for r < rows, x_j = x + j stride:
/// a block of the real-axis forward products. A full block is one vector
/// (GCC's vector extension: the loop vectoriser left the fixed eight-lane
/// loops scalar, 1.4 ms instead of 0.3 for a LESnets layer).
template <typename T>
OPFORGE_INLINE void dense_block(const T* x, std::int64_t stride, std::int64_t n, const T* a, std::int64_t rows,
                                T* const* y, std::int64_t width) {
  using Vector = typename LaneVector<T>::type;
  for (std::int64_t r = 0; r < rows; ++r) {
    if (width == lanes) {
      Vector sum = {};
      for (std::int64_t j = 0; j < n; ++j) {
        Vector xj;
        std::memcpy(&xj, x + j * stride, sizeof(Vector));
        sum += a[r * n + j] * xj;
      }
      std::memcpy(y[r], &sum, sizeof(Vector));
      continue;
    }
    for (std::int64_t v = 0; v < width; ++v) {
      T sum = 0;
      for (std::int64_t j = 0; j < n; ++j) sum += a[r * n + j] * x[j * stride + v];
      y[r][v] = sum;
    }
  }
}

template <typename T>
OPFORGE_INLINE void forward_rows(const T* x, std::int64_t n, const T* matrix, std::int64_t m, T* y_re, T* y_im,
                                 std::int64_t outer, std::int64_t inner) {
  std::vector<T*> y(static_cast<std::size_t>(2 * m));
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t v0 = 0; v0 < inner; v0 += lanes) {
      for (std::int64_t k = 0; k < m; ++k) {
        y[k] = y_re + (o * m + k) * inner + v0;
        y[m + k] = y_im + (o * m + k) * inner + v0;
      }
      dense_block(x + o * n * inner + v0, inner, n, matrix, 2 * m, y.data(), std::min(lanes, inner - v0));
    }
}

template <typename T>
OPFORGE_INLINE void inverse_rows(const T* x_re, const T* x_im, std::int64_t m, const T* matrix, T scale,
                                 std::int64_t n, const T* addend, T* y, std::int64_t outer, std::int64_t inner) {
  using Vector = typename LaneVector<T>::type;
  // The scaled matrix transposed, [n, 2m]: row j of the result contracts the
  // 2m rows of the spectrum (real parts, then imaginary parts).
  std::vector<T> transposed(static_cast<std::size_t>(2 * m * n));
  for (std::int64_t r = 0; r < 2 * m; ++r)
    for (std::int64_t j = 0; j < n; ++j) transposed[j * 2 * m + r] = scale * matrix[r * n + j];
  // The block's spectrum rows, packed (a vector of Vector: GCC's over-aligned
  // vector type is not allocated aligned everywhere).
  std::vector<T> spectrum(static_cast<std::size_t>(2 * m * lanes));
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t v0 = 0; v0 < inner; v0 += lanes) {
      const auto width = std::min(lanes, inner - v0);
      const auto in = [&](std::int64_t r) {
        return (r < m ? x_re + (o * m + r) * inner : x_im + (o * m + r - m) * inner) + v0;
      };
      T* out = y + o * n * inner + v0;
      const T* add = addend ? addend + o * n * inner + v0 : nullptr;
      if (width == lanes) {
        for (std::int64_t r = 0; r < 2 * m; ++r) std::memcpy(&spectrum[r * lanes], in(r), sizeof(Vector));
        for (std::int64_t j = 0; j < n; ++j) {
          Vector sum = {};
          if (add) std::memcpy(&sum, add + j * inner, sizeof(Vector));
          const T* c = &transposed[j * 2 * m];
          for (std::int64_t r = 0; r < 2 * m; ++r) {
            Vector row;
            std::memcpy(&row, &spectrum[r * lanes], sizeof(Vector));
            sum += c[r] * row;
          }
          std::memcpy(out + j * inner, &sum, sizeof(Vector));
        }
        continue;
      }
      for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t v = 0; v < width; ++v) {
          T sum = add ? add[j * inner + v] : T(0);
          for (std::int64_t r = 0; r < 2 * m; ++r) sum += transposed[j * 2 * m + r] * in(r)[v];
          out[j * inner + v] = sum;
        }
    }
}

OPFORGE_CLONES void forward_rows_float(const float* x, std::int64_t n, const float* matrix, std::int64_t m,
                                       float* y_re, float* y_im, std::int64_t outer, std::int64_t inner) {
  forward_rows(x, n, matrix, m, y_re, y_im, outer, inner);
}
OPFORGE_CLONES void inverse_rows_float(const float* x_re, const float* x_im, std::int64_t m, const float* matrix,
                                       float scale, std::int64_t n, const float* addend, float* y, std::int64_t outer,
                                       std::int64_t inner) {
  inverse_rows(x_re, x_im, m, matrix, scale, n, addend, y, outer, inner);
}

}  // namespace

template <>
void real_rows_forward(const float* x, std::int64_t n, const float* matrix, std::int64_t m, float* y_re, float* y_im,
                       std::int64_t outer, std::int64_t inner) {
  forward_rows_float(x, n, matrix, m, y_re, y_im, outer, inner);
}
template <>
void real_rows_forward(const double* x, std::int64_t n, const double* matrix, std::int64_t m, double* y_re,
                       double* y_im, std::int64_t outer, std::int64_t inner) {
  forward_rows(x, n, matrix, m, y_re, y_im, outer, inner);
}
template <>
void real_rows_inverse(const float* x_re, const float* x_im, std::int64_t m, const float* matrix, float scale,
                       std::int64_t n, const float* addend, float* y, std::int64_t outer, std::int64_t inner) {
  inverse_rows_float(x_re, x_im, m, matrix, scale, n, addend, y, outer, inner);
}
template <>
void real_rows_inverse(const double* x_re, const double* x_im, std::int64_t m, const double* matrix, double scale,
                       std::int64_t n, const double* addend, double* y, std::int64_t outer, std::int64_t inner) {
  inverse_rows(x_re, x_im, m, matrix, scale, n, addend, y, outer, inner);
}

}  // namespace opforge::train::kernels
