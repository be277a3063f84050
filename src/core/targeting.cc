#include "sluice/core/targeting.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace sluice::core {

using Json = nlohmann::json;

std::string_view AttrTypeName(AttrType type) {
  switch (type) {
    case AttrType::kString: return "string";
    case AttrType::kNumber: return "number";
    case AttrType::kBool: return "bool";
    case AttrType::kSemver: return "semver";
    case AttrType::kList: return "list";
  }
  return "string";
}

std::optional<AttrType> ParseAttrType(std::string_view name) {
  for (AttrType t : {AttrType::kString, AttrType::kNumber, AttrType::kBool, AttrType::kSemver,
                     AttrType::kList}) {
    if (AttrTypeName(t) == name) return t;
  }
  return std::nullopt;
}

AttributeSchema::AttributeSchema(std::vector<AttributeDef> defs) : defs_(std::move(defs)) {
  for (std::size_t i = 0; i < defs_.size(); ++i) {
    slots_.emplace(defs_[i].name, static_cast<std::uint16_t>(i));
  }
}

std::optional<std::uint16_t> AttributeSchema::SlotOf(std::string_view name) const {
  auto it = slots_.find(name);
  if (it == slots_.end()) return std::nullopt;
  return it->second;
}

namespace {

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

AttrValue ConvertAttribute(const AttributeInput& in, AttrType type) {
  using Kind = AttributeInput::Kind;
  AttrValue v;
  switch (type) {
    case AttrType::kString:
      if (in.kind == Kind::kString) v.text = in.text, v.present = true;
      break;
    case AttrType::kNumber:
      if (in.kind == Kind::kNumber) {
        v.number = in.number, v.present = true;
      } else if (in.kind == Kind::kString) {
        if (auto d = ParseDouble(in.text)) v.number = *d, v.present = true;
      }
      break;
    case AttrType::kBool:
      if (in.kind == Kind::kBool) {
        v.boolean = in.boolean, v.present = true;
      } else if (in.kind == Kind::kString && (in.text == "true" || in.text == "false")) {
        v.boolean = in.text == "true", v.present = true;
      }
      break;
    case AttrType::kSemver:
      if (in.kind == Kind::kString) {
        if (auto s = ParseSemver(in.text)) v.semver = *s, v.present = true;
      }
      break;
    case AttrType::kList:
      if (in.kind == Kind::kList) {
        v.list = in.list, v.present = true;
      } else if (in.kind == Kind::kString) {
        v.list = std::span<const std::string_view>(&in.text, 1), v.present = true;
      }
      break;
  }
  return v;
}

// ---------------------------------------------------------------------------
// Compiled program.

namespace {

enum class Op : std::uint8_t {
  kEq, kNe, kIn, kNotIn, kGt, kGte, kLt, kLte, kContains, kStartsWith, kRegex, kExists,
};

struct OpName {
  std::string_view name;
  Op op;
};
constexpr OpName kLeafOps[] = {
    {"eq", Op::kEq},        {"ne", Op::kNe},        {"in", Op::kIn},
    {"not_in", Op::kNotIn}, {"gt", Op::kGt},        {"gte", Op::kGte},
    {"lt", Op::kLt},        {"lte", Op::kLte},      {"contains", Op::kContains},
    {"starts_with", Op::kStartsWith}, {"regex", Op::kRegex}, {"exists", Op::kExists},
};

// Operators each attribute type supports, in the order error messages list them.
std::vector<Op> OpsFor(AttrType type) {
  switch (type) {
    case AttrType::kString:
      return {Op::kEq, Op::kNe, Op::kIn, Op::kNotIn, Op::kContains, Op::kStartsWith, Op::kRegex,
              Op::kExists};
    case AttrType::kNumber:
    case AttrType::kSemver:
      return {Op::kEq, Op::kNe, Op::kIn, Op::kNotIn, Op::kGt, Op::kGte, Op::kLt, Op::kLte,
              Op::kExists};
    case AttrType::kBool: return {Op::kEq, Op::kNe, Op::kExists};
    case AttrType::kList: return {Op::kContains, Op::kIn, Op::kNotIn, Op::kExists};
  }
  return {};
}

std::string_view NameOf(Op op) {
  for (const OpName& o : kLeafOps) {
    if (o.op == op) return o.name;
  }
  return "?";
}

std::string JoinOps(const std::vector<Op>& ops) {
  std::string out;
  for (Op op : ops) {
    if (!out.empty()) out += ", ";
    out += NameOf(op);
  }
  return out;
}

// A semantic version that owns its pre-release text.
struct OwnedSemver {
  Semver parts;
  std::string prerelease;
  Semver view() const { return Semver{parts.major, parts.minor, parts.patch, prerelease}; }
};

struct Operand {
  double number = 0;
  bool boolean = false;
  std::string text;
  OwnedSemver version;
  std::vector<std::string> strings;  // sorted, for in/not_in
  std::vector<double> numbers;       // sorted, for in/not_in
  std::vector<OwnedSemver> versions;
  std::unique_ptr<RE2> regex;
};

// A leaf: one attribute, one operator, one operand.
struct Predicate {
  Op op = Op::kEq;
  AttrType type = AttrType::kString;
  std::uint16_t slot = 0;
  Operand operand;
};

}  // namespace

struct ConditionSet::Predicates {
  std::vector<Predicate> list;
  std::unordered_map<std::string, std::uint32_t> ids;  // canonical text -> index in list
};

namespace {

bool Compare(Op op, int c) {
  switch (op) {
    case Op::kEq: return c == 0;
    case Op::kNe: return c != 0;
    case Op::kGt: return c > 0;
    case Op::kGte: return c >= 0;
    case Op::kLt: return c < 0;
    case Op::kLte: return c <= 0;
    default: return false;
  }
}

int ThreeWay(double a, double b) { return a < b ? -1 : (a > b ? 1 : 0); }

bool InStrings(const std::vector<std::string>& sorted, std::string_view s) {
  return std::binary_search(sorted.begin(), sorted.end(), s, [](const auto& x, const auto& y) {
    return std::string_view(x) < std::string_view(y);
  });
}

bool EvalPredicate(const Predicate& p, const AttrValue& v) {
  const Operand& o = p.operand;
  if (!v.present) return p.op == Op::kNe || p.op == Op::kNotIn;
  if (p.op == Op::kExists) return true;
  switch (p.type) {
    case AttrType::kString:
      switch (p.op) {
        case Op::kEq: return v.text == o.text;
        case Op::kNe: return v.text != o.text;
        case Op::kIn: return InStrings(o.strings, v.text);
        case Op::kNotIn: return !InStrings(o.strings, v.text);
        case Op::kContains: return v.text.find(o.text) != std::string_view::npos;
        case Op::kStartsWith: return v.text.starts_with(o.text);
        case Op::kRegex:
          return RE2::PartialMatch(re2::StringPiece(v.text.data(), v.text.size()), *o.regex);
        default: return false;
      }
    case AttrType::kNumber:
      if (p.op == Op::kIn || p.op == Op::kNotIn) {
        bool found = std::binary_search(o.numbers.begin(), o.numbers.end(), v.number);
        return p.op == Op::kIn ? found : !found;
      }
      return Compare(p.op, ThreeWay(v.number, o.number));
    case AttrType::kBool:
      return p.op == Op::kEq ? v.boolean == o.boolean : v.boolean != o.boolean;
    case AttrType::kSemver:
      if (p.op == Op::kIn || p.op == Op::kNotIn) {
        bool found = std::any_of(o.versions.begin(), o.versions.end(), [&](const OwnedSemver& s) {
          return CompareSemver(v.semver, s.view()) == 0;
        });
        return p.op == Op::kIn ? found : !found;
      }
      return Compare(p.op, CompareSemver(v.semver, o.version.view()));
    case AttrType::kList: {
      if (p.op == Op::kContains) {
        return std::find(v.list.begin(), v.list.end(), std::string_view(o.text)) != v.list.end();
      }
      bool any = std::any_of(v.list.begin(), v.list.end(),
                             [&](std::string_view s) { return InStrings(o.strings, s); });
      return p.op == Op::kIn ? any : !any;
    }
  }
  return false;
}

}  // namespace

// Adds conditions to a ConditionSet, collecting problems.
class ConditionCompiler {
 public:
  using Node = ConditionSet::Node;
  using Shape = ConditionSet::Shape;

  ConditionCompiler(ConditionSet& set, const AttributeSchema& schema, std::vector<Problem>& problems)
      : set_(set), schema_(schema), problems_(problems) {}

  std::uint32_t CompileNode(const Json& j, const std::string& path) {
    if (!j.is_object()) {
      return Fail(path, "must be an object such as {\"attr\": ..., \"op\": ..., \"value\": ...}");
    }
    int shapes = j.contains("and") + j.contains("or") + j.contains("not") + j.contains("attr");
    if (shapes != 1) {
      return Fail(path, "a condition must have exactly one of \"and\", \"or\", \"not\" or \"attr\"");
    }
    if (j.contains("and")) return CompileList(j, "and", Shape::kAnd, path);
    if (j.contains("or")) return CompileList(j, "or", Shape::kOr, path);
    if (j.contains("not")) {
      if (j.size() != 1) return Fail(path, "\"not\" takes a single condition and no other field");
      std::uint32_t child = CompileNode(j["not"], path + ".not");
      return Add(Node{Shape::kNot, child, 0});
    }
    return CompileLeaf(j, path);
  }

 private:
  std::uint32_t Fail(const std::string& path, std::string message) {
    problems_.push_back({path, std::move(message)});
    return ConditionSet::kEveryone;
  }

  std::uint32_t Add(Node n) {
    set_.nodes_.push_back(n);
    return static_cast<std::uint32_t>(set_.nodes_.size() - 1);
  }

  std::uint32_t CompileList(const Json& j, const char* key, Shape shape, const std::string& path) {
    const std::string list_path = path + "." + key;
    if (j.size() != 1) return Fail(path, std::string("\"") + key + "\" takes a list and no other field");
    const Json& list = j[key];
    if (!list.is_array() || list.empty()) return Fail(list_path, "must be a non-empty list of conditions");
    std::vector<std::uint32_t> kids;
    for (std::size_t i = 0; i < list.size(); ++i) {
      kids.push_back(CompileNode(list[i], list_path + "[" + std::to_string(i) + "]"));
    }
    bool all_leaves = std::all_of(kids.begin(), kids.end(),
                                  [&](std::uint32_t k) { return set_.nodes_[k].shape == Shape::kPredicate; });
    if (all_leaves) {  // flatten: children become predicate ids
      for (std::uint32_t& k : kids) k = set_.nodes_[k].a;
      shape = shape == Shape::kAnd ? Shape::kAllOf : Shape::kAnyOf;
    }
    auto begin = static_cast<std::uint32_t>(set_.children_.size());
    set_.children_.insert(set_.children_.end(), kids.begin(), kids.end());
    return Add(Node{shape, begin, static_cast<std::uint32_t>(set_.children_.size())});
  }

  std::uint32_t CompileLeaf(const Json& j, const std::string& path) {
    for (const auto& [k, _] : j.items()) {
      if (k != "attr" && k != "op" && k != "value") {
        return Fail(path + "." + k, "unknown field; a condition has \"attr\", \"op\" and \"value\"");
      }
    }
    if (!j["attr"].is_string()) return Fail(path + ".attr", "must be an attribute name (a string)");
    const std::string name = j["attr"].get<std::string>();
    auto slot = schema_.SlotOf(name);
    if (!slot) {
      return Fail(path + ".attr", "unknown attribute '" + name +
                                      "'; declare it under \"attributes\" or fix the name");
    }
    AttrType type = schema_.defs()[*slot].type;
    if (!j.contains("op") || !j["op"].is_string()) {
      return Fail(path + ".op", "missing operator; use one of " + JoinOps(OpsFor(type)));
    }
    const std::string op_name = j["op"].get<std::string>();
    auto known = std::find_if(std::begin(kLeafOps), std::end(kLeafOps),
                              [&](const OpName& o) { return o.name == op_name; });
    if (known == std::end(kLeafOps)) {
      return Fail(path + ".op", "unknown operator '" + op_name + "'; use one of " + JoinOps(OpsFor(type)));
    }
    Op op = known->op;
    std::vector<Op> allowed = OpsFor(type);
    if (std::find(allowed.begin(), allowed.end(), op) == allowed.end()) {
      return Fail(path + ".op", "'" + op_name + "' does not apply to " + std::string(AttrTypeName(type)) +
                                    " attribute '" + name + "'; use one of " + JoinOps(allowed));
    }
    // Identical predicates share one id, so each is evaluated once per unit.
    std::string canonical = std::to_string(*slot) + '\x1f' + op_name + '\x1f' + j.value("value", Json()).dump();
    ConditionSet::Predicates& predicates = *set_.predicates_;
    auto found = predicates.ids.find(canonical);
    if (found != predicates.ids.end()) return Add(Node{Shape::kPredicate, found->second, 0});
    Predicate predicate{op, type, *slot, {}};
    if (!CompileOperand(j, op, type, name, path + ".value", predicate.operand)) return ConditionSet::kEveryone;
    auto id = static_cast<std::uint32_t>(predicates.list.size());
    predicates.list.push_back(std::move(predicate));
    predicates.ids.emplace(std::move(canonical), id);
    return Add(Node{Shape::kPredicate, id, 0});
  }
  bool CompileOperand(const Json& j, Op op, AttrType type, const std::string& attr,
                      const std::string& path, Operand& out) {
    if (op == Op::kExists) {
      if (j.contains("value")) return Reject(path, "'exists' takes no value");
      return true;
    }
    if (!j.contains("value")) return Reject(path, "missing; '" + std::string(NameOf(op)) + "' needs a value");
    const Json& v = j["value"];
    if (op == Op::kIn || op == Op::kNotIn) {
      if (!v.is_array()) return Reject(path, "must be a list for operator '" + std::string(NameOf(op)) + "'");
      bool ok = true;
      for (std::size_t i = 0; i < v.size(); ++i) {
        ok &= AddSetMember(v[i], type, attr, path + "[" + std::to_string(i) + "]", out);
      }
      std::sort(out.strings.begin(), out.strings.end());
      std::sort(out.numbers.begin(), out.numbers.end());
      return ok;
    }
    if (op == Op::kRegex) {
      if (!v.is_string()) return Reject(path, "must be a regular expression (a string)");
      RE2::Options options;
      options.set_log_errors(false);
      out.regex = std::make_unique<RE2>(v.get<std::string>(), options);
      if (!out.regex->ok()) return Reject(path, "invalid regular expression: " + out.regex->error());
      return true;
    }
    switch (type) {
      case AttrType::kString:
      case AttrType::kList:
        if (!v.is_string()) return Reject(path, "must be a string for " + TypeOf(type) + " attribute '" + attr + "'");
        out.text = v.get<std::string>();
        return true;
      case AttrType::kNumber:
        if (!v.is_number()) return Reject(path, "must be a number for number attribute '" + attr + "'");
        out.number = v.get<double>();
        return true;
      case AttrType::kBool:
        if (!v.is_boolean()) return Reject(path, "must be true or false for bool attribute '" + attr + "'");
        out.boolean = v.get<bool>();
        return true;
      case AttrType::kSemver:
        return ParseVersion(v, path, out.version);
    }
    return false;
  }

  bool AddSetMember(const Json& v, AttrType type, const std::string& attr, const std::string& path,
                    Operand& out) {
    switch (type) {
      case AttrType::kNumber:
        if (!v.is_number()) return Reject(path, "must be a number for number attribute '" + attr + "'");
        out.numbers.push_back(v.get<double>());
        return true;
      case AttrType::kSemver: {
        OwnedSemver s;
        if (!ParseVersion(v, path, s)) return false;
        out.versions.push_back(std::move(s));
        return true;
      }
      default:
        if (!v.is_string()) return Reject(path, "must be a string for " + TypeOf(type) + " attribute '" + attr + "'");
        out.strings.push_back(v.get<std::string>());
        return true;
    }
  }

  bool ParseVersion(const Json& v, const std::string& path, OwnedSemver& out) {
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    auto parsed = v.is_string() ? ParseSemver(text) : std::nullopt;
    if (!parsed) {
      return Reject(path, "'" + text + "' is not a semantic version; write MAJOR.MINOR.PATCH, e.g. \"8.2.0\"");
    }
    out.parts = *parsed;
    out.prerelease = std::string(parsed->prerelease);
    return true;
  }

  static std::string TypeOf(AttrType t) { return std::string(AttrTypeName(t)); }

  bool Reject(const std::string& path, std::string message) {
    problems_.push_back({path, std::move(message)});
    return false;
  }

  ConditionSet& set_;
  const AttributeSchema& schema_;
  std::vector<sluice::Problem>& problems_;
};

void PredicateMemo::Reset(std::size_t predicates) {
  if (entries_.size() != predicates || ++generation_ == kMaxGeneration) {
    entries_.assign(predicates, 0);
    generation_ = 1;
  }
}

ConditionSet::ConditionSet() : predicates_(std::make_unique<Predicates>()) {}
ConditionSet::~ConditionSet() = default;
ConditionSet::ConditionSet(ConditionSet&&) noexcept = default;
ConditionSet& ConditionSet::operator=(ConditionSet&&) noexcept = default;

ConditionSet::Ref ConditionSet::Compile(const Json& json, const AttributeSchema& schema, const std::string& path,
                                        std::vector<sluice::Problem>& problems) {
  return ConditionCompiler(*this, schema, problems).CompileNode(json, path);
}

std::size_t ConditionSet::predicate_count() const { return predicates_->list.size(); }

bool ConditionSet::EvaluatePredicate(std::uint32_t id, std::span<const AttrValue> slots) const {
  const Predicate& p = predicates_->list[id];
  return core::EvalPredicate(p, slots[p.slot]);
}

bool ConditionSet::MatchesTree(Ref ref, std::span<const AttrValue> slots, PredicateMemo& memo) const {
  const Node& n = nodes_[ref];
  switch (n.shape) {
    case Shape::kAnd:
      for (std::uint32_t i = n.a; i < n.b; ++i) {
        if (!Matches(children_[i], slots, memo)) return false;
      }
      return true;
    case Shape::kOr:
      for (std::uint32_t i = n.a; i < n.b; ++i) {
        if (Matches(children_[i], slots, memo)) return true;
      }
      return false;
    case Shape::kNot: return !Matches(n.a, slots, memo);
    default: return false;  // the flat shapes never get here: Matches handles them inline
  }
}

}  // namespace sluice::core
