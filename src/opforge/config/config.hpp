#pragma once
/// @file
/// Typed, validated configuration over yaml-cpp.
///
/// Components read their options from a Section: `get` (with a default),
/// `require`, `choice`, sub-`section`s. Every value is checked for type and
/// range; Document::finish() then rejects every key that no component read.
/// All errors are ConfigError with "file:line:col: key.path: message" (1-based
/// line/column), or name the command-line override that set the key.

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "opforge/core/error.hpp"

namespace opforge {
class Communicator;
}

namespace opforge::config {

/// Allowed numeric interval for a value; unset ends are unbounded.
struct Bounds {
  std::optional<double> min;
  std::optional<double> max;
  bool min_exclusive = false;
  bool max_exclusive = false;
  bool contains(double value) const;
  std::string describe() const;  // "> 0", ">= 1 and <= 10"
};
inline Bounds positive() { return {0.0, std::nullopt, true, false}; }
inline Bounds non_negative() { return {0.0, std::nullopt, false, false}; }
inline Bounds at_least(double v) { return {v, std::nullopt, false, false}; }
inline Bounds between(double lo, double hi) { return {lo, hi, false, false}; }
inline Bounds unbounded() { return {}; }

class Section;
struct DocumentState;

/// A parsed configuration file plus command-line overrides.
class Document {
public:
  /// Parse YAML text; `source_name` is used in messages (usually the path).
  static Document parse(const std::string& text, const std::string& source_name);
  /// Read and parse a file on this process.
  static Document load_file(const std::string& path);
  /// Rank 0 reads the file and broadcasts it; every rank parses the same
  /// text, so every rank raises the same error for a bad file (collective).
  static Document load_file(const Communicator& comm, const std::string& path);

  /// Apply one "key.path=value" override (value parsed as YAML: numbers,
  /// booleans, lists `[1,2]`, strings). Creates missing intermediate maps.
  void apply_override(const std::string& assignment);
  void apply_overrides(const std::vector<std::string>& assignments);

  Section root() const;
  /// The mapping under top-level `key` as a document of its own (same file,
  /// lines and overrides; its own finish() and resolved_yaml()), e.g. the
  /// `generate:` and `train:` parts of an online config. Throws ConfigError
  /// when `key` is missing or not a mapping.
  Document part(const std::string& key) const;
  /// Throws ConfigError for the first key (in document order) that no
  /// component read, with a "did you mean" suggestion from the keys that
  /// were asked for in the same section.
  void finish() const;

  const std::string& source_name() const;
  /// The text as read (before overrides).
  const std::string& original_text() const;
  /// Every value that was read, defaults included, as YAML: the exact
  /// configuration a run used (stored as provenance).
  std::string resolved_yaml() const;

private:
  explicit Document(std::shared_ptr<DocumentState> state) : state_(std::move(state)) {}
  std::shared_ptr<DocumentState> state_;
};

/// A view of one mapping in a Document. Cheap to copy.
class Section {
public:
  /// Dotted path of this section ("" for the root, "solver", "pde.grf").
  const std::string& path() const { return path_; }
  /// Dotted path of a key in this section.
  std::string key_path(const std::string& key) const;
  /// "file:line:col" (or the override) where `key` is set, or where this
  /// section is when the key is absent.
  std::string location(const std::string& key = "") const;

  bool has(const std::string& key) const;
  /// Whether `key` holds a scalar (rather than a mapping or list), e.g. to
  /// accept both `solver: auto` and `solver: {ksp_type: ...}`.
  bool is_scalar(const std::string& key) const;

  template <typename T> T get(const std::string& key, const T& default_value, const Bounds& bounds = {}) const;
  template <typename T> T require(const std::string& key, const Bounds& bounds = {}) const;
  template <typename T> std::optional<T> get_optional(const std::string& key, const Bounds& bounds = {}) const;

  /// A string restricted to `allowed`; the message lists them.
  std::string choice(const std::string& key, const std::vector<std::string>& allowed,
                     const std::optional<std::string>& default_value = std::nullopt) const;

  /// A required nested mapping.
  Section section(const std::string& key) const;
  /// A nested mapping; when absent, an empty section (all defaults apply).
  Section section_or_empty(const std::string& key) const;

  /// A mapping of free-form keys to scalar values (e.g. petsc_options);
  /// null values become "".
  std::map<std::string, std::string> string_map(const std::string& key) const;

  /// Throw ConfigError located at `key` (or at this section when "").
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  /// Throw ConfigError located at the node `value` (read for `key`).
  [[noreturn]] void fail_at(const YAML::Node& value, const std::string& key, const std::string& message) const;

private:
  friend class Document;
  Section(std::shared_ptr<DocumentState> state, YAML::Node node, std::string path)
      : state_(std::move(state)), node_(std::move(node)), path_(std::move(path)) {}

  /// The value node for `key` (an invalid node when absent), marking it read.
  YAML::Node lookup(const std::string& key, bool mark_used = true) const;
  template <typename T> T convert(const std::string& key, const YAML::Node& value, const Bounds& bounds) const;
  void record(const std::string& key, const YAML::Node& value) const;
  void check_bounds(const YAML::Node& node, const std::string& key, double value, const Bounds& bounds) const;

  std::shared_ptr<DocumentState> state_;
  YAML::Node node_;
  std::string path_;
  std::string anchor_;  // location to report when this section is absent from the file
};

namespace detail {
template <typename T> struct TypeName;
template <> struct TypeName<bool> { static constexpr const char* value = "a boolean (true/false)"; };
template <> struct TypeName<int> { static constexpr const char* value = "an integer"; };
template <> struct TypeName<long> { static constexpr const char* value = "an integer"; };
template <> struct TypeName<long long> { static constexpr const char* value = "an integer"; };
template <> struct TypeName<unsigned long> { static constexpr const char* value = "a non-negative integer"; };
template <> struct TypeName<double> { static constexpr const char* value = "a number"; };
template <> struct TypeName<float> { static constexpr const char* value = "a number"; };
template <> struct TypeName<std::string> { static constexpr const char* value = "a string"; };
template <typename T> struct TypeName<std::vector<T>> { static constexpr const char* value = "a list"; };

template <typename T> struct IsVector : std::false_type {};
template <typename T> struct IsVector<std::vector<T>> : std::true_type {};

/// Scalar text of a node for messages ("'abc'", "a list", "a mapping").
std::string describe_value(const YAML::Node& node);
}  // namespace detail

template <typename T>
T Section::convert(const std::string& key, const YAML::Node& value, const Bounds& bounds) const {
  if constexpr (detail::IsVector<T>::value) {
    using Element = typename T::value_type;
    if (!value.IsSequence())
      fail_at(value, key, std::string("expected a list of ") + detail::TypeName<Element>::value + ", got " +
                    detail::describe_value(value));
    T out;
    for (std::size_t i = 0; i < value.size(); ++i)
      out.push_back(convert<Element>(key + "[" + std::to_string(i) + "]", value[i], bounds));
    return out;
  } else {
    if (!value.IsScalar())
      fail_at(value, key, std::string("expected ") + detail::TypeName<T>::value + ", got " + detail::describe_value(value));
    T out{};
    if constexpr (std::is_same_v<T, std::string>) {
      out = value.Scalar();
    } else {
      if (!YAML::convert<T>::decode(value, out))
        fail_at(value, key, std::string("expected ") + detail::TypeName<T>::value + ", got " + detail::describe_value(value));
      if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        if constexpr (std::is_floating_point_v<T>) {
          if (!std::isfinite(static_cast<double>(out)) && (bounds.min || bounds.max))
            fail_at(value, key, "value " + value.Scalar() + " is not finite");
        }
        check_bounds(value, key, static_cast<double>(out), bounds);
      }
    }
    return out;
  }
}

template <typename T> std::optional<T> Section::get_optional(const std::string& key, const Bounds& bounds) const {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) return std::nullopt;
  T out = convert<T>(key, value, bounds);
  record(key, value);
  return out;
}

template <typename T> T Section::get(const std::string& key, const T& default_value, const Bounds& bounds) const {
  if (auto value = get_optional<T>(key, bounds)) return *value;
  YAML::Node as_yaml;
  as_yaml = default_value;
  record(key, as_yaml);
  return default_value;
}

template <typename T> T Section::require(const std::string& key, const Bounds& bounds) const {
  if (auto value = get_optional<T>(key, bounds)) return *value;
  fail("", "missing required key '" + key + "'");
}

}  // namespace opforge::config
