#include "opforge/train/models/mgno.hpp"

#include <sstream>

#include "opforge/core/error.hpp"

namespace opforge::train {

namespace F = torch::nn::functional;
using torch::indexing::None;
using torch::indexing::Slice;

namespace {

std::vector<std::int64_t> repeated(std::int64_t value, std::int64_t dims) {
  return std::vector<std::int64_t>(static_cast<std::size_t>(dims), value);
}

std::string join(const std::vector<std::int64_t>& values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) out << (i ? "," : "") << values[i];
  return out.str();
}

}  // namespace

GridConvImpl::GridConvImpl(GridConvOptions o) : options(std::move(o)) {
  const std::int64_t d = options.spatial_dims();
  OPFORGE_CHECK(d >= 1 && d <= 3, UsageError, "convolution: 1 to 3 spatial dimensions, got ", d);
  OPFORGE_CHECK(!options.transposed() || options.padding() != "reflect", UsageError,
                "transposed convolution: zero or circular padding only");
  std::vector<std::int64_t> shape = options.transposed()
                                        ? std::vector<std::int64_t>{options.in_channels(), options.out_channels()}
                                        : std::vector<std::int64_t>{options.out_channels(), options.in_channels()};
  for (std::int64_t a = 0; a < d; ++a) shape.push_back(options.kernel());
  // torch.nn.Conv*'s default: kaiming_uniform(a = sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
  // fan_in taken from the weight's second axis times the kernel volume.
  std::int64_t fan_in = shape[1];
  for (std::int64_t a = 0; a < d; ++a) fan_in *= options.kernel();
  const double bound = 1.0 / std::sqrt(double(fan_in));
  weight = register_parameter("weight", torch::empty(shape).uniform_(-bound, bound));
  if (options.bias()) bias = register_parameter("bias", torch::empty({options.out_channels()}).uniform_(-bound, bound));
}

torch::Tensor GridConvImpl::forward(const torch::Tensor& x) {
  OPFORGE_ASSERT(!options.transposed());
  const std::int64_t d = options.spatial_dims();
  const std::int64_t half = options.kernel() / 2;
  const auto optional_bias = bias.defined() ? c10::optional<torch::Tensor>(bias) : c10::nullopt;
  const auto stride = repeated(options.stride(), d), dilation = repeated(1, d), none = repeated(0, d);
  if (options.padding() == "zeros" || half == 0)
    return torch::convolution(x, weight, optional_bias, stride, repeated(half, d), dilation, false, none, 1);
  const auto mode = options.padding() == "circular" ? F::PadFuncOptions::mode_t(torch::kCircular)
                                                     : F::PadFuncOptions::mode_t(torch::kReflect);
  const auto padded = F::pad(x, F::PadFuncOptions(repeated(half, 2 * d)).mode(mode));
  return torch::convolution(padded, weight, optional_bias, stride, none, dilation, false, none, 1);
}

torch::Tensor GridConvImpl::prolong(const torch::Tensor& x, const std::vector<std::int64_t>& fine_sizes) {
  OPFORGE_ASSERT(options.transposed());
  const std::int64_t d = options.spatial_dims();
  const std::int64_t k = options.kernel(), s = options.stride(), pad = (k - 1) / 2;
  const auto optional_bias = bias.defined() ? c10::optional<torch::Tensor>(bias) : c10::nullopt;
  for (std::int64_t a = 0; a < d; ++a) {
    const auto fine = fine_sizes[static_cast<std::size_t>(a)];
    OPFORGE_CHECK(fine <= (x.size(2 + a) - 1) * s + k - 2 * pad + s - 1, UsageError, "prolongation: coarse axis of ",
                  x.size(2 + a), " cannot reach ", fine, " points");
  }
  if (options.padding() == "circular") {
    // Periodic: the full (unpadded) transposed convolution, its overhang
    // folded back onto the other end of each axis.
    auto y = torch::convolution(x, weight, optional_bias, repeated(s, d), repeated(0, d), repeated(1, d), true,
                                repeated(0, d), 1);
    for (std::int64_t a = 0; a < d; ++a) {
      const auto fine = fine_sizes[static_cast<std::size_t>(a)];
      const auto target = (torch::arange(y.size(2 + a), torch::kLong) - pad).remainder(fine);
      auto shape = y.sizes().vec();
      shape[static_cast<std::size_t>(2 + a)] = fine;
      y = torch::zeros(shape, y.options()).index_add(2 + a, target, y);
    }
    return y;
  }
  // Zero boundary: natural output size (m - 1) s - 2 pad + k; output padding
  // adds up to s - 1 at the end of an axis, cropping removes the surplus of
  // even kernels on odd grids.
  std::vector<std::int64_t> output_padding;
  std::vector<torch::indexing::TensorIndex> crop{Slice(), Slice()};
  bool cropped = false;
  for (std::int64_t a = 0; a < d; ++a) {
    const auto fine = fine_sizes[static_cast<std::size_t>(a)];
    const std::int64_t missing = fine - ((x.size(2 + a) - 1) * s - 2 * pad + k);
    output_padding.push_back(std::max<std::int64_t>(missing, 0));
    crop.emplace_back(Slice(None, fine));
    cropped = cropped || missing < 0;
  }
  auto y = torch::convolution(x, weight, optional_bias, repeated(s, d), repeated(pad, d), repeated(1, d), true,
                              output_padding, 1);
  return cropped ? y.index(crop) : y;
}

SmoothingStepImpl::SmoothingStepImpl(std::int64_t u_channels, std::int64_t f_channels, std::int64_t dims,
                                     bool initial, const std::string& padding, bool bias) {
  if (!initial)
    A = register_module("A", GridConv(GridConvOptions(u_channels, f_channels, dims).padding(padding).bias(bias)));
  S = register_module("S", GridConv(GridConvOptions(f_channels, u_channels, dims).padding(padding).bias(bias)));
}

torch::Tensor SmoothingStepImpl::forward(const torch::Tensor& u, const torch::Tensor& f) {
  if (A.is_empty()) return S(f);
  return u + S(f - A(u));
}

VCycleImpl::VCycleImpl(VCycleOptions o) : options(std::move(o)) {
  const auto levels = options.pre_smoothing().size();
  OPFORGE_CHECK(levels >= 1, UsageError, "V-cycle: at least one level");
  OPFORGE_CHECK(options.pre_smoothing()[0] >= 1, UsageError, "V-cycle: the finest level needs a smoothing step");
  if (options.post_smoothing().empty()) options.post_smoothing(std::vector<std::int64_t>(levels, 0));
  OPFORGE_CHECK(options.post_smoothing().size() == levels, UsageError, "V-cycle: ", levels,
                " pre-smoothing entries but ", options.post_smoothing().size(), " post-smoothing entries");
  const std::int64_t cu = options.u_channels(), cf = options.f_channels(), d = options.spatial_dims();
  const std::string& padding = options.padding();
  pre.resize(levels);
  post.resize(levels);
  for (std::size_t l = 0; l < levels; ++l) {
    const std::string level = std::to_string(l);
    if (l > 0) {
      restrict_u.push_back(
          register_module("restrict_u" + level, GridConv(GridConvOptions(cu, cu, d).stride(2).padding(padding))));
      restrict_f.push_back(
          register_module("restrict_f" + level, GridConv(GridConvOptions(cf, cf, d).stride(2).padding(padding))));
      prolong.push_back(register_module(
          "prolong" + level,
          GridConv(GridConvOptions(cu, cu, d)
                       .kernel(options.prolongation_kernel())
                       .stride(2)
                       .transposed(true)
                       .padding(padding == "circular" ? padding : "zeros"))));
    }
    if (options.level_norm() && l + 1 < levels)
      norms.push_back(register_module("norm" + level, torch::nn::GroupNorm(torch::nn::GroupNormOptions(1, cu))));
    for (std::int64_t i = 0; i < options.pre_smoothing()[l]; ++i)
      pre[l].push_back(register_module("pre" + level + "_" + std::to_string(i),
                                       SmoothingStep(cu, cf, d, l == 0 && i == 0, padding, options.bias())));
    for (std::int64_t i = 0; i < options.post_smoothing()[l]; ++i)
      post[l].push_back(register_module("post" + level + "_" + std::to_string(i),
                                        SmoothingStep(cu, cf, d, false, padding, options.bias())));
  }
}

std::vector<std::vector<std::int64_t>> VCycleImpl::level_sizes(const std::vector<std::int64_t>& sizes) const {
  std::vector<std::vector<std::int64_t>> out{sizes};
  for (std::size_t l = 1; l < options.pre_smoothing().size(); ++l) {
    std::vector<std::int64_t> coarse;
    for (const auto n : out.back()) coarse.push_back((n + 1) / 2);  // 3x3, stride 2, padding 1
    out.push_back(coarse);
  }
  return out;
}

torch::Tensor VCycleImpl::forward(const torch::Tensor& f0) {
  const std::size_t levels = pre.size();
  std::vector<torch::Tensor> u(levels), f(levels);
  const auto sizes = level_sizes(std::vector<std::int64_t>(f0.sizes().begin() + 2, f0.sizes().end()));
  if (options.padding() == "reflect")
    for (const auto n : sizes.back())
      OPFORGE_CHECK(n >= 2, UsageError, "mgno: reflect padding needs at least 2 points per axis on the coarsest of ",
                    levels, " levels; use fewer levels for this grid");
  f[0] = f0;
  for (std::size_t l = 0; l < levels; ++l) {
    if (l > 0) {
      u[l] = restrict_u[l - 1](u[l - 1]);
      f[l] = restrict_f[l - 1](f[l - 1]);
    }
    for (auto& step : pre[l]) u[l] = step(u[l], f[l]);
  }
  for (std::size_t l = levels - 1; l-- > 0;) {
    u[l] = u[l] + prolong[l]->prolong(u[l + 1], sizes[l]);
    if (!norms.empty()) u[l] = norms[l](u[l]);
    for (auto& step : post[l]) u[l] = step(u[l], f[l]);
  }
  return u[0];
}

MgnoOptions MgnoOptions::parse(const config::Section& s, const ModelShape& shape) {
  MgnoOptions o;
  o.channels(s.get<std::int64_t>("channels", 24, config::at_least(1)));
  o.layers(s.get<std::int64_t>("layers", 4, config::at_least(1)));
  o.pre_smoothing(s.get<std::vector<std::int64_t>>("pre_smoothing", o.pre_smoothing(), config::non_negative()));
  if (o.pre_smoothing().empty() || o.pre_smoothing()[0] < 1)
    s.fail("pre_smoothing", "needs one entry per level, the first (finest level) at least 1");
  o.post_smoothing(s.get<std::vector<std::int64_t>>(
      "post_smoothing", std::vector<std::int64_t>(o.pre_smoothing().size(), 0), config::non_negative()));
  if (o.post_smoothing().size() != o.pre_smoothing().size())
    s.fail("post_smoothing", "needs one entry per level (" + std::to_string(o.pre_smoothing().size()) +
                                 ", as pre_smoothing)");
  o.padding(s.choice("padding", {"zeros", "circular", "reflect"}, std::string("zeros")));
  o.prolongation_kernel(s.get<std::int64_t>("prolongation_kernel", 4, config::between(2, 4)));
  o.bias(s.get<bool>("bias", false));
  o.skip(s.get<bool>("skip", true));
  o.level_norm(s.get<bool>("level_norm", false));
  o.input_skip(s.get<bool>("input_skip", false));
  o.in_channels(shape.in_channels);
  o.out_channels(shape.out_channels);
  o.spatial_dims(shape.spatial_dims);
  if (shape.spatial_dims < 1 || shape.spatial_dims > 3)
    s.fail("type", "mgno supports 1 to 3 spatial dimensions, the data has " + std::to_string(shape.spatial_dims));
  if (o.input_skip() && shape.in_channels < shape.out_channels)
    s.fail("input_skip", "adds the last " + std::to_string(shape.out_channels) +
                             " input channels to the output, the data has " + std::to_string(shape.in_channels));
  return o;
}

MgnoImpl::MgnoImpl(MgnoOptions o) : options(std::move(o)) {
  const std::int64_t c = options.channels(), d = options.spatial_dims();
  for (std::int64_t l = 0; l < options.layers(); ++l) {
    const std::int64_t f_channels = l == 0 ? options.in_channels() : c;
    vcycles.push_back(register_module("vcycle" + std::to_string(l),
                                      VCycle(VCycleOptions(c, f_channels, d)
                                                 .pre_smoothing(options.pre_smoothing())
                                                 .post_smoothing(options.post_smoothing())
                                                 .padding(options.padding())
                                                 .prolongation_kernel(options.prolongation_kernel())
                                                 .bias(options.bias())
                                                 .level_norm(options.level_norm()))));
    if (options.skip())
      skip.push_back(register_module("skip" + std::to_string(l),
                                     GridConv(GridConvOptions(f_channels, c, d).kernel(1).bias(true))));
  }
  head = register_module("head", GridConv(GridConvOptions(c, options.out_channels(), d).kernel(1)));
}

torch::Tensor MgnoImpl::forward(torch::Tensor x) {
  const std::int64_t d = options.spatial_dims();
  OPFORGE_CHECK(x.dim() == d + 2, UsageError, "mgno expects [batch, channels, ", d, " spatial axes], got ", x.dim(),
                " axes");
  const torch::Tensor input = x;
  for (std::size_t l = 0; l < vcycles.size(); ++l)
    x = torch::gelu(skip.empty() ? vcycles[l](x) : vcycles[l](x) + skip[l](x));
  if (!options.input_skip()) return head(x);
  const std::int64_t out = options.out_channels();
  return head(x) + input.narrow(1, input.size(1) - out, out);
}

std::string MgnoImpl::describe() const {
  std::ostringstream out;
  out << "mgno channels=" << options.channels() << " layers=" << options.layers() << " levels="
      << options.pre_smoothing().size() << " pre=[" << join(options.pre_smoothing()) << "] post=["
      << join(options.post_smoothing()) << "] padding=" << options.padding()
      << " prolongation_kernel=" << options.prolongation_kernel() << (options.bias() ? " bias" : "")
      << (options.skip() ? "" : " no-skip") << (options.level_norm() ? " level_norm" : "")
      << (options.input_skip() ? " input_skip" : "");
  return out.str();
}

std::unique_ptr<OperatorModelImpl> make_mgno(const config::Section& section, const ModelShape& shape) {
  return std::make_unique<MgnoImpl>(MgnoOptions::parse(section, shape));
}

}  // namespace opforge::train
