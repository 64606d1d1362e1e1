#pragma once
/// @file
/// Key-by-key comparison of two configurations, e.g. a checkpoint's stored
/// config against the one a run was started with.

#include <string>
#include <vector>

namespace opforge::config {

/// One leaf key whose value differs; an absent side reads "(absent)".
struct KeyDifference {
  std::string key;  ///< dotted path, "model.width"
  std::string first;
  std::string second;
};

/// The leaf keys (dotted paths, in the order of `first` then the keys only in
/// `second`) whose values differ between two YAML texts, restricted to the
/// keys under `prefix` ("" for all). Numbers compare as numbers (`1.0e-3`
/// equals `0.001`), lists as a whole, anything else as text. Throws
/// ConfigError when a text is not YAML.
std::vector<KeyDifference> differing_keys(const std::string& first, const std::string& second,
                                          const std::string& prefix = "");

/// `yaml` with its top-level `section` replaced by `source_yaml`'s. Throws
/// ConfigError when a text is not YAML.
std::string with_section(const std::string& yaml, const std::string& section, const std::string& source_yaml);

/// "model.width: checkpoint 8, config 16; ..." with the two sides named.
std::string describe(const std::vector<KeyDifference>& differences, const std::string& first_name,
                     const std::string& second_name);

}  // namespace opforge::config
