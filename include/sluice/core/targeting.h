// Attribute schema and audience conditions (targeting).
//
// A configuration declares its attributes with a type; conditions refer to
// them by name and are compiled once per configuration into a flat tree that
// addresses attributes by slot index. Evaluation reads a unit's attribute
// slots, allocates nothing and never fails: a missing attribute or one whose
// value could not be converted to the declared type is "absent", and every
// operator except ne, not_in and exists is false on an absent attribute.
//
// Thread-safety: a compiled ConditionSet is immutable and may be evaluated
// from any number of threads at once, each with its own PredicateMemo.
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

  static AttributeInput String(std::string_view name, std::string_view text) {
    return {name, Kind::kString, text, 0, false, {}};
  }
  static AttributeInput Number(std::string_view name, double number) {
    return {name, Kind::kNumber, {}, number, false, {}};
  }
  static AttributeInput Bool(std::string_view name, bool value) {
    return {name, Kind::kBool, {}, 0, value, {}};
  }
  static AttributeInput List(std::string_view name, std::span<const std::string_view> items) {
    return {name, Kind::kList, {}, 0, false, items};
  }
};

// Converts `input` to a value of `type`; absent if it cannot be converted.
AttrValue ConvertAttribute(const AttributeInput& input, AttrType type);

// Per-unit memo of predicate results, so that a predicate shared by many
// conditions (e.g. country in [CN, JP]) is evaluated once per unit.
class PredicateMemo {
 public:
  // Starts a new unit; sizes the memo for `predicates` predicates.
  void Reset(std::size_t predicates);

 private:
  friend class ConditionSet;
  static constexpr std::uint32_t kMaxGeneration = 1u << 31;
  // Per predicate: (generation << 1) | result; valid when the generation matches.
  std::vector<std::uint32_t> entries_;
  std::uint32_t generation_ = 0;
};

// Every audience condition of one configuration, compiled into one flat
// program. Leaf predicates (attribute, operator, value) are deduplicated
// across conditions. A condition is addressed by a Ref; kEveryone matches
// every unit.
class ConditionSet {
 public:
  using Ref = std::uint32_t;
  static constexpr Ref kEveryone = 0;

  ConditionSet();
  ~ConditionSet();
  ConditionSet(const ConditionSet&) = delete;  // predicates own compiled regexes
  ConditionSet& operator=(const ConditionSet&) = delete;
  ConditionSet(ConditionSet&&) noexcept;
  ConditionSet& operator=(ConditionSet&&) noexcept;

  // Compiles JSON such as
  //   {"and": [{"attr": "country", "op": "in", "value": ["CN", "US"]},
  //            {"not": {"attr": "app_version", "op": "lt", "value": "8.0.0"}}]}
  // Every problem is appended to `problems` with its path under `path`; the
  // returned Ref is only meaningful when none was added.
  Ref Compile(const nlohmann::json& json, const AttributeSchema& schema, const std::string& path,
              std::vector<Problem>& problems);

  std::size_t predicate_count() const;

  // `slots` holds one value per schema attribute; `memo` was Reset for this
  // unit and this set's predicate_count(). Inline: the common shapes (no
  // audience, one predicate, an and/or of predicates) cost a few loads.
  bool Matches(Ref condition, std::span<const AttrValue> slots, PredicateMemo& memo) const {
    const Node& n = nodes_[condition];
    switch (n.shape) {
      case Shape::kEveryone: return true;
      case Shape::kPredicate: return Test(n.a, slots, memo);
      case Shape::kAllOf:
        for (std::uint32_t i = n.a; i < n.b; ++i) {
          if (!Test(children_[i], slots, memo)) return false;
        }
        return true;
      case Shape::kAnyOf:
        for (std::uint32_t i = n.a; i < n.b; ++i) {
          if (Test(children_[i], slots, memo)) return true;
        }
        return false;
      default: return MatchesTree(condition, slots, memo);
    }
  }

 private:
  friend class ConditionCompiler;  // targeting.cc
  struct Predicates;               // the leaves, defined in targeting.cc

  enum class Shape : std::uint8_t {
    kEveryone,
    kPredicate,  // predicate a
    kAllOf,      // and of predicates children_[a, b)
    kAnyOf,      // or of predicates children_[a, b)
    kAnd,        // and of nodes children_[a, b)
    kOr,         // or of nodes children_[a, b)
    kNot,        // not of node a
  };
  struct Node {
    Shape shape = Shape::kEveryone;
    std::uint32_t a = 0;
    std::uint32_t b = 0;
  };

  bool Test(std::uint32_t predicate, std::span<const AttrValue> slots, PredicateMemo& memo) const {
    std::uint32_t& entry = memo.entries_[predicate];
    if ((entry >> 1) != memo.generation_) {
      entry = (memo.generation_ << 1) | static_cast<std::uint32_t>(EvaluatePredicate(predicate, slots));
    }
    return (entry & 1u) != 0;
  }
  bool EvaluatePredicate(std::uint32_t predicate, std::span<const AttrValue> slots) const;
  bool MatchesTree(Ref condition, std::span<const AttrValue> slots, PredicateMemo& memo) const;

  std::vector<Node> nodes_{Node{}};  // node 0 is kEveryone
  std::vector<std::uint32_t> children_;
  std::unique_ptr<Predicates> predicates_;
};

}  // namespace sluice::core
