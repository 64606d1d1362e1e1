#pragma once
/// @file
/// Private: the shared state behind a config::Document and its Sections.

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace opforge::config {

struct DocumentState {
  std::string source;
  std::string text;
  YAML::Node root;
  /// Every value read (defaults included), mirrored at its key path.
  YAML::Node resolved{YAML::NodeType::Map};
  /// Dotted key path -> the "key=value" override that set it.
  std::map<std::string, std::string> overrides;
  /// Dotted key paths read as values or opened as sections.
  std::set<std::string> used;
  std::set<std::string> opened_sections;
  /// Section path -> keys components asked for there (for suggestions).
  std::map<std::string, std::vector<std::string>> queried;

  /// "file:line:col" from a yaml-cpp mark (0-based -> 1-based).
  std::string format_mark(const YAML::Mark& mark) const;
  /// The override that set `path` or one of its ancestors, if any.
  const std::string* override_for(const std::string& path) const;
};

std::string join_path(const std::string& section, const std::string& key);

}  // namespace opforge::config
