#include "opforge/train/loop/training_loss.hpp"

#include "opforge/core/error.hpp"

namespace opforge::train {

LearnedSmagorinskyImpl::LearnedSmagorinskyImpl(double initial) {
  cs2 = register_parameter("smagorinsky_cs2", torch::tensor(static_cast<float>(initial)));
}

std::map<std::string, double> les_attributes(const OperatorData& data) {
  std::map<std::string, double> out;
  for (const auto& [key, value] : data.reader().attributes())
    if (key.rfind("les_", 0) == 0) out[key] = std::stod(value);
  return out;
}

LesResidualOptions dataset_physics(const OperatorData& data) {
  const auto attributes = les_attributes(data);
  LesResidualOptions physics;
  auto set = [&](const char* key, double& value) {
    if (attributes.count(key)) value = attributes.at(key);
  };
  set("les_viscosity", physics.viscosity);
  set("les_smagorinsky_cs2", physics.smagorinsky_cs2);
  set("les_filter_width", physics.filter_width);
  set("les_frame_interval", physics.frame_interval);
  return physics;
}

TrainingLoss TrainingLoss::parse(const config::Section& training, const OperatorData& data) {
  TrainingLoss loss;
  loss.per_frame_ = data.autoregressive();
  if (!training.has("loss") || training.is_scalar("loss")) {
    loss.type_ = training.choice("loss", {"l2", "h1", "les"}, std::string("l2"));
    if (loss.type_ == "les") training.fail("loss", "les needs a section: loss: {type: les, ...}");
    return loss;
  }
  const config::Section s = training.section("loss");
  loss.type_ = s.choice("type", {"l2", "h1", "les"});
  if (loss.type_ != "les") return loss;
  // Physical parameters default to the ones the dataset was simulated with.
  const auto attributes = les_attributes(data);
  auto parameter = [&](const std::string& key, const std::string& attribute, const config::Bounds& bounds) {
    if (s.has(key) || !attributes.count(attribute)) return s.require<double>(key, bounds);
    return attributes.at(attribute);
  };
  LesResidualOptions& les = loss.les_;
  les.viscosity = parameter("viscosity", "les_viscosity", config::non_negative());
  les.filter_width = parameter("filter_width", "les_filter_width", config::positive());
  les.frame_interval = parameter("frame_interval", "les_frame_interval", config::positive());
  les.divergence_weight = s.get<double>("divergence_weight", 1.0, config::non_negative());
  les.one_sided_ends = s.choice("time_difference", {"central_one_sided_ends", "central"},
                                std::string("central_one_sided_ends")) == "central_one_sided_ends";
  loss.data_weight_ = s.get<double>("data_weight", 0.0, config::non_negative());
  if (s.has("learn_smagorinsky_cs2")) {
    if (s.has("smagorinsky_cs2"))
      s.fail("learn_smagorinsky_cs2", "give either smagorinsky_cs2 (fixed) or learn_smagorinsky_cs2, not both");
    const config::Section learn = s.section("learn_smagorinsky_cs2");
    LearnedSmagorinskyOptions& o = loss.learned_options_;
    o.initial = learn.get<double>("initial", o.initial, config::non_negative());
    o.lr = learn.get<double>("lr", o.lr, config::positive());
    o.weight = learn.get<double>("weight", o.weight, config::positive());
    const DataOptions& d = data.options();
    o.sample = learn.get<std::int64_t>("sample", d.train_begin,
                                       config::between(0.0, double(data.layout().num_samples - 1)));
    auto inside = [&](std::int64_t begin, std::int64_t end) { return o.sample >= begin && o.sample < end; };
    if (inside(d.test_begin, d.test_end) || inside(d.validation_begin, d.validation_end))
      learn.fail("sample", "the calibration trajectory must not be a test or validation sample");
    les.smagorinsky_cs2 = o.initial;
    loss.learned_ = LearnedSmagorinsky(o.initial);
  } else {
    les.smagorinsky_cs2 = parameter("smagorinsky_cs2", "les_smagorinsky_cs2", config::non_negative());
  }
  const ModelShape shape = data.shape();
  if (data.frames() < 2 || shape.in_channels != 3 || data.layout().spatial_shape.size() != 3)
    s.fail("type", "les needs a 3D velocity trajectory dataset (3 channels, time axis) and data.frames >= 2");
  if (data.options().normalize) s.fail("type", "les works in physical units: set data.normalize: false");
  return loss;
}

torch::Tensor TrainingLoss::per_sample(const torch::Tensor& prediction, const torch::Tensor& input,
                                       const torch::Tensor& truth) const {
  auto* relative = type_ == "h1" ? &relative_h1 : &relative_l2;
  if (per_frame_) {
    // The roll-out loss of fourier_2d_time.py: the sum over the predicted frames.
    torch::Tensor sum = relative(prediction.select(-1, 0), truth.select(-1, 0));
    for (std::int64_t t = 1; t < prediction.size(-1); ++t)
      sum = sum + relative(prediction.select(-1, t), truth.select(-1, t));
    return sum;
  }
  if (type_ != "les") return relative(prediction, truth);
  auto loss = les_residual_loss(input.select(-1, 0), prediction, les_, learned_ ? learned_->cs2 : torch::Tensor());
  if (data_weight_ > 0) loss = loss + data_weight_ * relative_l2(prediction, truth);
  return loss;
}

torch::Tensor TrainingLoss::calibration(OperatorData& data) const {
  OPFORGE_CHECK(learned_, InternalError, "calibration without a learned C_s^2");
  if (!calibration_frames_.defined()) {
    const auto [x, y] = data.batch({learned_options_.sample});
    calibration_initial_ = x.select(-1, 0);
    calibration_frames_ = y;
  }
  return learned_options_.weight *
         les_residual_loss(calibration_initial_, calibration_frames_, les_, learned_->cs2).sum();
}

}  // namespace opforge::train
