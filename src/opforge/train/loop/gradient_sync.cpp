#include "opforge/train/loop/gradient_sync.hpp"

#include <algorithm>
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

GradientSync::GradientSync(const Communicator& comm, torch::nn::Module& module, std::size_t bucket_bytes,
                           bool overlap)
    : comm_(comm),
      parameters_(module.parameters()),
      bucket_elements_(std::max<std::size_t>(1, bucket_bytes / 4)),
      overlap_(overlap && comm.size() > 1) {
  if (!overlap_) return;
  // Buckets in reverse registration order: the last layers' gradients come first.
  slots_.resize(parameters_.size());
  std::vector<std::int64_t> bucket_sizes;
  for (std::size_t k = parameters_.size(); k-- > 0;) {
    const auto elements = flat_real(parameters_[k].detach()).numel();
    OPFORGE_CHECK(parameters_[k].scalar_type() == torch::kFloat32, InternalError, "gradients must be float32");
    if (bucket_sizes.empty() ||
        (bucket_sizes.back() > 0 && std::size_t(bucket_sizes.back() + elements) > bucket_elements_)) {
      bucket_sizes.push_back(0);
      bucket_parameters_.push_back(0);
    }
    slots_[k] = {bucket_sizes.size() - 1, bucket_sizes.back(), elements};
    bucket_sizes.back() += elements;
    ++bucket_parameters_.back();
  }
  for (const auto size : bucket_sizes) buckets_.push_back(torch::zeros({size}, torch::kFloat32));
  bucket_arrived_.assign(buckets_.size(), 0);
  arrived_.assign(parameters_.size(), false);
  requests_.resize(buckets_.size());
  for (std::size_t k = 0; k < parameters_.size(); ++k)
    hooks_.push_back(parameters_[k].register_hook([this, k](const torch::Tensor& grad) { on_gradient(k, grad); }));
}

GradientSync::~GradientSync() {
  for (std::size_t k = 0; k < hooks_.size(); ++k) parameters_[k].remove_hook(hooks_[k]);
}

void GradientSync::on_gradient(std::size_t parameter, const torch::Tensor& grad) {
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  OPFORGE_CHECK(!arrived_[parameter], InternalError,
                "overlapped gradient sync: a second gradient for one parameter before allreduce() "
                "(one backward per step; set training.overlap_allreduce: false otherwise)");
  const auto& slot = slots_[parameter];
  buckets_[slot.bucket].narrow(0, slot.offset, slot.elements).copy_(flat_real(grad.contiguous()));
  arrived_[parameter] = true;
  ++bucket_arrived_[slot.bucket];
  start_ready_buckets();
  // MPI progresses non-blocking collectives inside MPI calls: poke the ones in flight.
  for (std::size_t b = 0; b < next_to_start_; ++b) requests_[b].test();
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void GradientSync::start_ready_buckets() {
  while (next_to_start_ < buckets_.size() &&
         bucket_arrived_[next_to_start_] == bucket_parameters_[next_to_start_]) {
    auto& bucket = buckets_[next_to_start_];
    requests_[next_to_start_] = comm_.iallreduce_in_place(bucket.data_ptr<float>(),
                                                          static_cast<std::size_t>(bucket.numel()),
                                                          Datatype::float32, ReduceOp::sum);
    ++next_to_start_;
  }
}

void GradientSync::allreduce(double scale) {
  if (!overlap_) return allreduce_blocking(scale);
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  // Whatever backward did not deliver (no local samples, unused parameters) counts as zero.
  for (std::size_t k = 0; k < parameters_.size(); ++k)
    if (!arrived_[k]) {
      const auto& slot = slots_[k];
      buckets_[slot.bucket].narrow(0, slot.offset, slot.elements).zero_();
      arrived_[k] = true;
      ++bucket_arrived_[slot.bucket];
    }
  start_ready_buckets();
  for (auto& request : requests_) request.wait();
  for (std::size_t k = 0; k < parameters_.size(); ++k) {
    auto& p = parameters_[k];
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    const auto& slot = slots_[k];
    flat_real(p.grad()).copy_(buckets_[slot.bucket].narrow(0, slot.offset, slot.elements)).mul_(scale);
  }
  std::fill(arrived_.begin(), arrived_.end(), false);
  std::fill(bucket_arrived_.begin(), bucket_arrived_.end(), 0);
  next_to_start_ = 0;
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void GradientSync::allreduce_blocking(double scale) {
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
