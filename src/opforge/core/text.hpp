#pragma once
/// @file
/// Small string helpers shared by config validation and the plugin registry.

#include <optional>
#include <string>
#include <vector>

namespace opforge {

std::vector<std::string> split(const std::string& text, char separator);
std::string join(const std::vector<std::string>& parts, const std::string& separator);
/// Edit distance (insertions, deletions, substitutions).
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The candidate nearest to `word` when it is close enough to be a typo.
std::optional<std::string> closest_match(const std::string& word, const std::vector<std::string>& candidates);
/// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace opforge
