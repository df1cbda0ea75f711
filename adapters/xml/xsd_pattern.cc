#include "adapters/xml/xsd_pattern.h"

#include <algorithm>
#include <utility>

namespace swg::xml::detail {

// Parses the pattern into a small tree, then builds its position (Glushkov) automaton: one state
// a character or class of the pattern, no empty transitions, a counted repetition unrolled into
// copies. Matching then steps a set of positions per character.
class XsdPattern::Compiler {
 public:
  explicit Compiler(std::string_view text) : text_(text) {}

  std::optional<XsdPattern> run() {
    for (const char c : text_) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x80 || u < 0x20) return std::nullopt;
    }
    const int root = regexp();
    if (root < 0 || pos_ != text_.size()) return std::nullopt;
    XsdPattern out;
    const std::optional<Fragment> whole = build(root, out);
    if (!whole) return std::nullopt;
    out.first_ = whole->first;
    out.last_ = whole->last;
    out.nullable_ = whole->nullable;
    // Deterministic patterns only: Xerces' backtracking matcher misses matches that need it to
    // take back a closure's iterations ("( [a-z]+)*( [A-Za-z]+)*" refuses " aU"). Where each
    // character admits one next position at most, no match ever needs that.
    if (!deterministic(out.first_, out)) return std::nullopt;
    for (const Bits& follow : out.follow_) {
      if (!deterministic(follow, out)) return std::nullopt;
    }
    for (int p = 0; p < static_cast<int>(out.classes_.size()); ++p) {
      for (int c = 0; c < 128; ++c) {
        if (out.classes_[p][c]) out.accepts_[c].set(p);
      }
    }
    return out;
  }

 private:
  enum class Kind : std::uint8_t { kEmpty, kClass, kConcat, kAlt, kRepeat };
  static constexpr int kUnbounded = -1;

  struct Node {
    Kind kind = Kind::kEmpty;
    CharSet set{};          // kClass
    std::vector<int> kids;  // kConcat, kAlt; kRepeat: one
    int min = 0, max = 0;   // kRepeat
  };

  struct Fragment {
    Bits first, last;
    bool nullable = true;
  };

  // ---- parsing --------------------------------------------------------------------------------

  bool at_end() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  int add(Node node) {
    nodes_.push_back(std::move(node));
    return static_cast<int>(nodes_.size()) - 1;
  }

  // regExp ::= branch ( '|' branch )*
  int regexp() {
    if (++depth_ > kMaxDepth) return -1;
    Node alt{.kind = Kind::kAlt, .set = {}, .kids = {}};
    while (true) {
      const int b = branch();
      if (b < 0) return -1;
      alt.kids.push_back(b);
      if (peek() != '|') break;
      ++pos_;
    }
    --depth_;
    return alt.kids.size() == 1 ? alt.kids[0] : add(std::move(alt));
  }

  // branch ::= piece*
  int branch() {
    Node concat{.kind = Kind::kConcat, .set = {}, .kids = {}};
    while (!at_end() && peek() != '|' && peek() != ')') {
      const int p = piece();
      if (p < 0) return -1;
      concat.kids.push_back(p);
    }
    if (concat.kids.empty()) return add(Node{.kind = Kind::kEmpty, .set = {}, .kids = {}});
    return concat.kids.size() == 1 ? concat.kids[0] : add(std::move(concat));
  }

  // piece ::= atom quantifier?
  int piece() {
    const int a = atom();
    if (a < 0) return -1;
    int min = 1, max = 1;
    switch (peek()) {
      case '?': min = 0; break;
      case '*': min = 0, max = kUnbounded; break;
      case '+': max = kUnbounded; break;
      case '{': {
        ++pos_;
        min = number();
        if (min < 0) return -1;
        max = min;
        if (peek() == ',') {
          ++pos_;
          max = peek() == '}' ? kUnbounded : number();
          if (max == -2 || (max != kUnbounded && max < min)) return -1;
        }
        if (peek() != '}') return -1;
        break;
      }
      default: return a;
    }
    ++pos_;
    const char next = peek();
    if (next == '?' || next == '*' || next == '+' || next == '{') return -1;  // not XML Schema
    Node repeat{.kind = Kind::kRepeat, .set = {}, .kids = {a}, .min = min, .max = max};
    return add(std::move(repeat));
  }

  // A quantity's number, 0..kMaxCount; -2 when there is none or it is larger.
  int number() {
    int n = 0;
    std::size_t digits = 0;
    while (peek() >= '0' && peek() <= '9') {
      n = n * 10 + (peek() - '0');
      if (n > kMaxCount) return -2;
      ++pos_;
      ++digits;
    }
    return digits == 0 ? -2 : n;
  }

  // atom ::= NormalChar | charClass | '(' regExp ')'
  int atom() {
    const char c = peek();
    Node node{.kind = Kind::kClass, .set = {}, .kids = {}};
    switch (c) {
      case '(': {
        ++pos_;
        if (peek() == '?') return -1;  // (?:…) and the like are not XML Schema
        const int inner = regexp();
        if (inner < 0 || peek() != ')') return -1;
        ++pos_;
        return inner;
      }
      case '[':
        ++pos_;
        if (!class_expression(node.set)) return -1;
        return add(std::move(node));
      case '.':
        ++pos_;
        node.set.fill(true);
        node.set['\n'] = node.set['\r'] = false;
        return add(std::move(node));
      case '\\':
        ++pos_;
        if (!escape(node.set, /*single_only=*/false)) return -1;
        return add(std::move(node));
      case '?':
      case '*':
      case '+':
      case '{':
      case '}':
      case ')':
      case ']':
      case '|':
      case '^':
      case '$': return -1;
      default:
        ++pos_;
        node.set[static_cast<unsigned char>(c)] = true;
        return add(std::move(node));
    }
  }

  // After a '\': a single-character escape, or (unless single_only) \d \D \s \S, added to `set`.
  // Returns false for anything else. Sets `single` to the character of a single-character one.
  bool escape(CharSet& set, bool single_only, int* single = nullptr) {
    if (at_end()) return false;
    const char c = text_[pos_++];
    static constexpr std::string_view kSingle = "nrt\\|.?*+(){}-[]^";
    if (kSingle.find(c) != std::string_view::npos) {
      const char value = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
      set[static_cast<unsigned char>(value)] = true;
      if (single != nullptr) *single = static_cast<unsigned char>(value);
      return true;
    }
    if (single_only) return false;
    CharSet multi{};
    switch (c) {
      case 'd':
      case 'D':
        for (char d = '0'; d <= '9'; ++d) multi[static_cast<unsigned char>(d)] = true;
        break;
      case 's':
      case 'S':
        for (const char s : {' ', '\t', '\n', '\r'}) multi[static_cast<unsigned char>(s)] = true;
        break;
      default: return false;
    }
    const bool complement = c == 'D' || c == 'S';
    for (int i = 0; i < 128; ++i) {
      if (multi[i] != complement) set[i] = true;
    }
    if (single != nullptr) *single = -1;
    return true;
  }

  // After a '[': charGroup ']' without subtraction. Ranges run between two plain characters or
  // single-character escapes; any other '-', a nested '[' and a '^' past the start decline, and
  // so do members that overlap (Xerces merges overlapping ranges wrongly: "[A-na-z]" does not
  // match 'o').
  bool class_expression(CharSet& out) {
    CharSet set{};
    const bool negated = peek() == '^';
    if (negated) ++pos_;
    bool empty = true;
    while (true) {
      if (at_end()) return false;
      const char c = peek();
      if (c == ']') break;
      if (c == '[' || c == '-' || c == '^') return false;
      CharSet item{};
      int start = -1;
      ++pos_;
      if (c == '\\') {
        if (!escape(item, /*single_only=*/false, &start)) return false;
      } else {
        start = static_cast<unsigned char>(c);
        item[start] = true;
      }
      if (peek() == '-') {
        if (start < 0) return false;  // \d-… is not a range
        ++pos_;
        int end = -1;
        const char e = peek();
        if (e == ']' || e == '[' || e == '-' || e == '^' || at_end()) return false;
        ++pos_;
        if (e == '\\') {
          CharSet ignored{};
          if (!escape(ignored, /*single_only=*/true, &end)) return false;
        } else {
          end = static_cast<unsigned char>(e);
        }
        if (end < start) return false;
        for (int k = start; k <= end; ++k) item[k] = true;
      }
      for (int k = 0; k < 128; ++k) {
        if (item[k] && set[k]) return false;
        set[k] = set[k] || item[k];
      }
      empty = false;
    }
    ++pos_;  // ']'
    if (empty) return false;
    for (int k = 0; k < 128; ++k) out[k] = set[k] != negated;
    return true;
  }

  // ---- the automaton --------------------------------------------------------------------------

  std::optional<Fragment> build(int index, XsdPattern& out) {
    const Node& node = nodes_[index];
    switch (node.kind) {
      case Kind::kEmpty: return Fragment{};
      case Kind::kClass: {
        const int p = static_cast<int>(out.classes_.size());
        if (p >= kMaxPositions) return std::nullopt;
        out.classes_.push_back(node.set);
        out.follow_.emplace_back();
        Fragment f;
        f.first.set(p);
        f.last.set(p);
        f.nullable = false;
        return f;
      }
      case Kind::kConcat: {
        Fragment whole;
        for (const int kid : node.kids) {
          const std::optional<Fragment> next = build(kid, out);
          if (!next) return std::nullopt;
          whole = concat(whole, *next, out);
        }
        return whole;
      }
      case Kind::kAlt: {
        Fragment whole;
        whole.nullable = false;
        for (const int kid : node.kids) {
          const std::optional<Fragment> next = build(kid, out);
          if (!next) return std::nullopt;
          whole.first |= next->first;
          whole.last |= next->last;
          whole.nullable = whole.nullable || next->nullable;
        }
        return whole;
      }
      case Kind::kRepeat: {
        // A body that matches the empty string is where Xerces' loop guard cuts closures short.
        Fragment whole;
        for (int i = 0; i < node.min; ++i) {
          const std::optional<Fragment> copy = build(node.kids[0], out);
          if (!copy || copy->nullable) return std::nullopt;
          whole = concat(whole, *copy, out);
        }
        if (node.max == kUnbounded) {
          std::optional<Fragment> loop = build(node.kids[0], out);
          if (!loop || loop->nullable) return std::nullopt;
          link(loop->last, loop->first, out);
          loop->nullable = true;
          return concat(whole, *loop, out);
        }
        // a{0,k} nested, (a(a(a)?)?)?, which stays deterministic where a?a?a? would not.
        Fragment optional;
        for (int i = node.min; i < node.max; ++i) {
          const std::optional<Fragment> copy = build(node.kids[0], out);
          if (!copy || copy->nullable) return std::nullopt;
          optional = concat(*copy, optional, out);
          optional.nullable = true;
        }
        return concat(whole, optional, out);
      }
    }
    return std::nullopt;
  }

  // Whether no character is in the classes of two positions of `set`.
  static bool deterministic(const Bits& set, const XsdPattern& out) {
    CharSet seen{};
    for (int p = 0; p < static_cast<int>(out.classes_.size()); ++p) {
      if (!set.test(p)) continue;
      for (int c = 0; c < 128; ++c) {
        if (!out.classes_[p][c]) continue;
        if (seen[c]) return false;
        seen[c] = true;
      }
    }
    return true;
  }

  static void link(const Bits& from, const Bits& to, XsdPattern& out) {
    for (int p = 0; p < static_cast<int>(out.follow_.size()); ++p) {
      if (from.test(p)) out.follow_[p] |= to;
    }
  }

  static Fragment concat(const Fragment& a, const Fragment& b, XsdPattern& out) {
    link(a.last, b.first, out);
    Fragment r;
    r.first = a.first;
    if (a.nullable) r.first |= b.first;
    r.last = b.last;
    if (b.nullable) r.last |= a.last;
    r.nullable = a.nullable && b.nullable;
    return r;
  }

  static constexpr int kMaxDepth = 32;

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::vector<Node> nodes_;
};

std::optional<XsdPattern> XsdPattern::compile(std::string_view pattern) {
  return Compiler(pattern).run();
}

bool XsdPattern::matches(std::string_view value) const {
  if (value.empty()) return nullable_;
  Bits current = first_ & accepts_[static_cast<unsigned char>(value[0]) & 0x7F];
  for (std::size_t i = 1; i < value.size() && current.any(); ++i) {
    Bits next;
    for (int word = 0; word < 2; ++word) {
      for (std::uint64_t bits = current.w[word]; bits != 0; bits &= bits - 1) {
        next |= follow_[word * 64 + __builtin_ctzll(bits)];
      }
    }
    current = next & accepts_[static_cast<unsigned char>(value[i]) & 0x7F];
  }
  return (current & last_).any();
}

std::string XsdPattern::generate(std::mt19937_64& random, std::size_t max_length) const {
  std::string out;
  Bits candidates = first_;
  bool can_stop = nullable_;
  while (true) {
    std::vector<int> positions;
    for (int p = 0; p < static_cast<int>(classes_.size()); ++p) {
      if (candidates.test(p) &&
          std::find(classes_[p].begin() + 1, classes_[p].end(), true) != classes_[p].end()) {
        positions.push_back(p);
      }
    }
    const bool stop_now = can_stop && (out.size() >= max_length || random() % 4 == 0);
    if (positions.empty() || stop_now) return out;
    const int p = positions[random() % positions.size()];
    std::vector<char> chars;
    for (int c = 1; c < 128; ++c) {
      if (classes_[p][c]) chars.push_back(static_cast<char>(c));
    }
    out.push_back(chars[random() % chars.size()]);
    candidates = follow_[p];
    can_stop = last_.test(p);
  }
}

}  // namespace swg::xml::detail
