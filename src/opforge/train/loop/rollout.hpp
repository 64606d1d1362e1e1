#pragma once
/// @file
/// Autoregressive roll-out of a space-time operator on trajectory datasets
/// (LESnets evaluation): each call maps the last frame so far to the next K
/// frames. Per frame: relative L2 against the reference trajectory, kinetic
/// energy and dissipation of prediction and reference; energy spectra at a
/// few frames; the operator's wall time against the reference solver's.

#include <cstdint>
#include <string>
#include <vector>

#include "opforge/train/data/data.hpp"
#include "opforge/train/loop/les_loss.hpp"

namespace opforge::train {

struct RolloutReport {
  std::int64_t samples = 0, calls = 0, frames = 0;
  std::vector<double> times;  ///< of each predicted frame
  std::vector<double> rel_l2, energy, reference_energy, dissipation, reference_dissipation;  ///< per frame, sample means
  std::vector<std::int64_t> spectrum_frames;  ///< 1-based frame numbers with spectra
  std::vector<std::vector<double>> spectrum, reference_spectrum;  ///< [spectrum frame][K = 0 .. n/2]
  double first_call_l2 = 0;       ///< mean relative L2 over the first call's K frames
  double spectrum_deviation = 0;  ///< max |E/E_ref - 1| over shells 1..10 after the first call
  double operator_seconds = 0;   ///< mean per sample: all calls of the roll-out
  double reference_seconds = 0;  ///< mean per sample: the solver for the same horizon (0: unknown)
};

/// Collective: rank r rolls out test samples i = r mod P; the report is
/// identical on all ranks. `model_call` maps model inputs to (decoded)
/// predictions.
RolloutReport rollout(const Communicator& comm, const std::function<torch::Tensor(const torch::Tensor&)>& model_call,
                      OperatorData& data, const std::vector<std::int64_t>& indices, std::int64_t calls,
                      const LesResidualOptions& physics);

/// rollout.csv (per frame), spectra.csv (per spectrum frame and shell) and
/// rollout.json (the summary) in `directory`.
void write_rollout(const std::string& directory, const RolloutReport& report);

}  // namespace opforge::train
