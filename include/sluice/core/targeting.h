// Attribute schema and audience conditions (targeting).
//
// A configuration declares its attributes with a type; conditions refer to
// them by name and are compiled once per configuration into a flat tree that
// addresses attributes by slot index. Evaluation reads a unit's attribute
// slots, allocates nothing and never fails: a missing attribute or one whose
// value could not be converted to the declared type is "absent", and every
// operator except ne, not_in and exists is false on an absent attribute.
//
// Thread-safety: a compiled Condition is immutable and may be evaluated from
// any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "sluice/common/result.h"
#include "sluice/core/semver.h"

namespace re2 {
class RE2;
}

namespace sluice::core {

enum class AttrType : std::uint8_t { kString, kNumber, kBool, kSemver, kList };

std::string_view AttrTypeName(AttrType type);
std::optional<AttrType> ParseAttrType(std::string_view name);

struct AttributeDef {
  std::string name;
  AttrType type = AttrType::kString;
};

// Declared attributes, addressed by slot index (their position).
class AttributeSchema {
 public:
  AttributeSchema() = default;
  explicit AttributeSchema(std::vector<AttributeDef> defs);

  const std::vector<AttributeDef>& defs() const { return defs_; }
  std::size_t size() const { return defs_.size(); }
  std::optional<std::uint16_t> SlotOf(std::string_view name) const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<AttributeDef> defs_;
  std::unordered_map<std::string, std::uint16_t, StringHash, std::equal_to<>> slots_;
};

// One unit's value of one attribute, already converted to the declared type.
// Views point into the caller's input, which must outlive the evaluation.
struct AttrValue {
  bool present = false;
  bool boolean = false;
  double number = 0;
  std::string_view text;                   // kString
  Semver semver;                           // kSemver
  std::span<const std::string_view> list;  // kList
};

// An attribute as a caller supplies it, before conversion (from JSON or a
// command line). Strings convert to numbers, booleans, versions and one-element
// lists when the declared type asks for it.
struct AttributeInput {
  enum class Kind : std::uint8_t { kString, kNumber, kBool, kList };
  std::string_view name;
  Kind kind = Kind::kString;
  std::string_view text;
  double number = 0;
  bool boolean = false;
  std::span<const std::string_view> list;
};

// Converts `input` to a value of `type`; absent if it cannot be converted.
AttrValue ConvertAttribute(const AttributeInput& input, AttrType type);

// A compiled audience condition. The default-constructed one matches everyone.
class Condition {
 public:
  Condition();
  ~Condition();
  Condition(const Condition&);
  Condition(Condition&&) noexcept;
  Condition& operator=(const Condition&);
  Condition& operator=(Condition&&) noexcept;

  // Compiles JSON such as
  //   {"and": [{"attr": "country", "op": "in", "value": ["CN", "US"]},
  //            {"not": {"attr": "app_version", "op": "lt", "value": "8.0.0"}}]}
  // Every problem is appended to `problems` with its path under `path`; the
  // result is only meaningful when none was added.
  static Condition Compile(const nlohmann::json& json, const AttributeSchema& schema,
                           const std::string& path, std::vector<Problem>& problems);

  bool MatchesEveryone() const;
  // `slots` holds one value per schema attribute.
  bool Matches(std::span<const AttrValue> slots) const;

  struct Program;  // implementation detail, defined in targeting.cc

 private:
  std::shared_ptr<const Program> program_;  // immutable; shared between copies
};

}  // namespace sluice::core
