#include "opforge/train/gradient_sync.hpp"

#include <chrono>

#include "opforge/core/error.hpp"

namespace opforge::train {

namespace {
/// Real view of a (possibly complex) contiguous float tensor.
torch::Tensor flat_real(const torch::Tensor& t) {
  return t.is_complex() ? torch::view_as_real(t).view(-1) : t.view(-1);
}
}  // namespace

void broadcast_parameters(const Communicator& comm, torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  auto broadcast = [&](torch::Tensor& t) {
    auto flat = flat_real(t.data());
    OPFORGE_CHECK(flat.is_contiguous() && flat.scalar_type() == torch::kFloat32, InternalError,
                  "parameters must be contiguous float32");
    comm.broadcast(flat.data_ptr<float>(), static_cast<std::size_t>(flat.numel()), 0);
  };
  for (auto& p : module.parameters()) broadcast(p);
  for (auto& b : module.buffers()) broadcast(b);
}

GradientSync::GradientSync(const Communicator& comm, torch::nn::Module& module, std::size_t bucket_bytes)
    : comm_(comm), parameters_(module.parameters()), bucket_elements_(std::max<std::size_t>(1, bucket_bytes / 4)) {}

void GradientSync::allreduce(double scale) {
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (auto& p : parameters_) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  // Fixed bucket order on every rank: parameters in registration order.
  std::size_t first = 0;
  while (first < grads.size()) {
    std::size_t last = first, elements = 0;
    while (last < grads.size() && (elements == 0 || elements + flat_real(grads[last]).numel() <= bucket_elements_))
      elements += static_cast<std::size_t>(flat_real(grads[last++]).numel());
    std::vector<torch::Tensor> pieces;
    for (std::size_t i = first; i < last; ++i) pieces.push_back(flat_real(grads[i]));
    torch::Tensor bucket = torch::cat(pieces);
    if (comm_.size() > 1)
      comm_.allreduce_in_place(bucket.data_ptr<float>(), static_cast<std::size_t>(bucket.numel()), Datatype::float32,
                               ReduceOp::sum);
    bucket.mul_(scale);
    std::int64_t offset = 0;
    for (std::size_t i = first; i < last; ++i) {
      auto target = flat_real(grads[i]);
      target.copy_(bucket.narrow(0, offset, target.numel()));
      offset += target.numel();
    }
    first = last;
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace opforge::train
