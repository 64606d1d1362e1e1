#pragma once
/// @file
/// Reading GrfOptions from a config section (`alpha`, `tau`, `scale`, `zero_mean_mode`).

#include "opforge/config/config.hpp"
#include "opforge/pde/grf.hpp"

namespace opforge::pde {

inline GrfOptions parse_grf_options(const config::Section& s, const GrfOptions& defaults = {}) {
  GrfOptions o;
  o.alpha = s.get<double>("alpha", defaults.alpha, config::positive());
  o.tau = s.get<double>("tau", defaults.tau, config::positive());
  o.scale = s.get<double>("scale", defaults.scale, config::positive());
  o.zero_mean_mode = s.get<bool>("zero_mean_mode", defaults.zero_mean_mode);
  return o;
}

}  // namespace opforge::pde
