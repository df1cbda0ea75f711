#include "adapters/edifact/grammar.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>
#include <utility>

#include "adapters/edifact/segment.h"
#include "adapters/edifact/syntax.h"

namespace swg::edifact {
namespace {

constexpr std::string_view kServiceDirectory = "service";

struct RawRef {
  std::string id;
  bool mandatory = false;
  std::uint32_t repeats = 1;
  std::string where;
};

struct RawBlock {
  std::string id;
  std::string name;
  std::vector<RawRef> refs;
};

struct RawLine {
  bool end = false;
  bool group = false;
  std::string position;
  std::string tag;
  std::uint32_t group_number = 0;
  bool mandatory = false;
  std::uint32_t max = 1;
  std::string where;
};

struct RawMessage {
  std::string type, version, release, agency;
  std::vector<RawLine> lines;
  std::string where;
};

struct Directory {
  std::map<std::string, std::unique_ptr<ElementDef>, std::less<>> elements;
  std::map<std::string, std::unique_ptr<CompositeDef>, std::less<>> composites;
  std::map<std::string, std::unique_ptr<SegmentDef>, std::less<>> segments;
  std::vector<std::pair<std::string, std::vector<std::string>>> codes;  // element id, codes
  std::vector<std::string> codes_where;
  std::vector<RawBlock> raw_composites;
  std::vector<RawBlock> raw_segments;
  std::vector<RawMessage> raw_messages;
};

Status grammar_error(const std::string& where, const std::string& message) {
  return failed_precondition(std::string(codes::kGrammar), where + ": " + message);
}

std::vector<std::string> tokens(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string rest(const std::vector<std::string>& words, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

bool parse_number(std::string_view text, std::uint32_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

/// "an..35", "a3", "n..15", "an1..35".
bool parse_type(std::string_view text, ElementDef& def) {
  std::size_t letters = 0;
  while (letters < text.size() && (text[letters] == 'a' || text[letters] == 'n')) ++letters;
  const std::string_view kind = text.substr(0, letters);
  if (kind == "a") {
    def.type = ValueType::kAlpha;
  } else if (kind == "n") {
    def.type = ValueType::kNumeric;
  } else if (kind == "an") {
    def.type = ValueType::kAlphanumeric;
  } else {
    return false;
  }
  std::string_view size = text.substr(letters);
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  const std::size_t dots = size.find("..");
  if (dots == std::string_view::npos) {
    if (!parse_number(size, max)) return false;
    min = max;
  } else {
    if (dots != 0 && !parse_number(size.substr(0, dots), min)) return false;
    if (!parse_number(size.substr(dots + 2), max)) return false;
  }
  if (max == 0 || max > 9999 || min > max) return false;
  def.min_length = static_cast<std::uint16_t>(min);
  def.max_length = static_cast<std::uint16_t>(max);
  return true;
}

bool parse_status(std::string_view text, bool& mandatory) {
  if (text == "M") {
    mandatory = true;
  } else if (text == "C") {
    mandatory = false;
  } else {
    return false;
  }
  return true;
}

Status parse_file(const GrammarFile& file, Directory& dir) {
  std::istringstream in(file.text);
  std::string line;
  int number = 0;
  enum class Block { kNone, kComposite, kSegment, kMessage } block = Block::kNone;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = file.directory + "/" + file.name + ":" + std::to_string(number);
    const std::vector<std::string> words = tokens(line);
    if (words.empty()) continue;
    const bool indented = line[0] == ' ' || line[0] == '\t';
    if (!indented) {
      block = Block::kNone;
      const std::string& keyword = words[0];
      if (keyword == "element") {
        if (words.size() < 3) return grammar_error(where, "expected: element ID TYPE NAME");
        auto def = std::make_unique<ElementDef>();
        def->id = words[1];
        if (!parse_type(words[2], *def)) {
          return grammar_error(where, "bad data type '" + words[2] + "' (a3, n..15, an..35)");
        }
        def->name = rest(words, 3);
        if (!dir.elements.emplace(def->id, std::move(def)).second) {
          return grammar_error(where, "element " + words[1] + " defined twice");
        }
      } else if (keyword == "codes") {
        if (words.size() < 3) return grammar_error(where, "expected: codes ELEMENT CODE...");
        dir.codes.emplace_back(words[1], std::vector<std::string>(words.begin() + 2, words.end()));
        dir.codes_where.push_back(where);
      } else if (keyword == "composite" || keyword == "segment") {
        if (words.size() < 2) return grammar_error(where, "expected: " + keyword + " ID NAME");
        auto& list = keyword == "composite" ? dir.raw_composites : dir.raw_segments;
        list.push_back({words[1], rest(words, 2), {}});
        block = keyword == "composite" ? Block::kComposite : Block::kSegment;
      } else if (keyword == "message") {
        if (words.size() != 5) {
          return grammar_error(where, "expected: message TYPE VERSION RELEASE AGENCY");
        }
        dir.raw_messages.push_back({words[1], words[2], words[3], words[4], {}, where});
        block = Block::kMessage;
      } else {
        return grammar_error(where, "unknown keyword '" + keyword + "'");
      }
      continue;
    }
    switch (block) {
      case Block::kNone: return grammar_error(where, "indented line outside a block");
      case Block::kComposite:
      case Block::kSegment: {
        RawRef ref;
        ref.where = where;
        const std::size_t expected = block == Block::kComposite ? 2 : 0;
        if (words.size() < 2 || words.size() > 3 || (expected != 0 && words.size() != 2)) {
          return grammar_error(where, block == Block::kComposite ? "expected: ELEMENT M|C"
                                                                 : "expected: ID M|C [REPEATS]");
        }
        ref.id = words[0];
        if (!parse_status(words[1], ref.mandatory)) return grammar_error(where, "expected M or C");
        if (words.size() == 3 && (!parse_number(words[2], ref.repeats) || ref.repeats == 0)) {
          return grammar_error(where, "bad repeat count '" + words[2] + "'");
        }
        auto& list = block == Block::kComposite ? dir.raw_composites : dir.raw_segments;
        list.back().refs.push_back(std::move(ref));
        break;
      }
      case Block::kMessage: {
        RawLine raw;
        raw.where = where;
        if (words.size() == 1 && words[0] == "end") {
          raw.end = true;
        } else if (words.size() == 5 && words[1] == "group") {
          raw.group = true;
          raw.position = words[0];
          if (!parse_number(words[2], raw.group_number)) {
            return grammar_error(where, "bad group number");
          }
          if (!parse_status(words[3], raw.mandatory)) return grammar_error(where, "expected M|C");
          if (!parse_number(words[4], raw.max) || raw.max == 0) {
            return grammar_error(where, "bad repeat count");
          }
        } else if (words.size() == 4) {
          raw.position = words[0];
          raw.tag = words[1];
          if (!parse_status(words[2], raw.mandatory)) return grammar_error(where, "expected M|C");
          if (!parse_number(words[3], raw.max) || raw.max == 0) {
            return grammar_error(where, "bad repeat count");
          }
        } else {
          return grammar_error(where, "expected: POS TAG M|C MAX, POS group N M|C MAX, or end");
        }
        dir.raw_messages.back().lines.push_back(std::move(raw));
        break;
      }
    }
  }
  return {};
}

template <typename Map>
auto* lookup(const Map& own, const Map* service, std::string_view id) {
  auto it = own.find(id);
  if (it != own.end()) return it->second.get();
  if (service != nullptr) {
    it = service->find(id);
    if (it != service->end()) return it->second.get();
  }
  return static_cast<decltype(it->second.get())>(nullptr);
}

}  // namespace

bool in_code_list(const std::vector<std::string>& codes, std::string_view value) {
  // The order of std::string's operator<: bytes compared unsigned, then the shorter first.
  auto compare = [](std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      const auto x = static_cast<unsigned char>(a[i]);
      const auto y = static_cast<unsigned char>(b[i]);
      if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
  };
  std::size_t low = 0;
  std::size_t high = codes.size();
  while (low < high) {
    const std::size_t mid = low + (high - low) / 2;
    const int c = compare(codes[mid], value);
    if (c == 0) return true;
    if (c < 0) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return false;
}

namespace {

// Sets Node::trigger through the table, innermost first.
void set_triggers(Node& node) {
  for (Node& child : node.children) set_triggers(child);
  node.trigger =
      node.is_group ? node.children.front().trigger : std::string_view(node.segment->tag);
  node.trigger_code = tag_code(node.trigger);
}

}  // namespace

struct Grammars::Impl {
  std::map<std::string, Directory, std::less<>> directories;
  std::map<std::string, const MessageDef*, std::less<>> by_key;
  std::vector<std::unique_ptr<MessageDef>> messages;
};

Grammars::Grammars() : impl_(std::make_unique<Impl>()) {}
Grammars::~Grammars() = default;

namespace {

std::string key_of(std::string_view type, std::string_view version, std::string_view release,
                   std::string_view agency) {
  std::string key(type);
  key += '/';
  key += version;
  key += '/';
  key += release;
  key += '/';
  key += agency;
  return key;
}

Status link(Directory& dir, const Directory* service) {
  for (std::size_t i = 0; i < dir.codes.size(); ++i) {
    auto it = dir.elements.find(dir.codes[i].first);
    if (it == dir.elements.end()) {
      return grammar_error(dir.codes_where[i], "codes for undefined element " + dir.codes[i].first);
    }
    auto& list = it->second->codes;
    list.insert(list.end(), dir.codes[i].second.begin(), dir.codes[i].second.end());
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  for (RawBlock& raw : dir.raw_composites) {
    auto def = std::make_unique<CompositeDef>();
    def->id = raw.id;
    def->name = raw.name;
    for (const RawRef& ref : raw.refs) {
      const ElementDef* element =
          lookup(dir.elements, service != nullptr ? &service->elements : nullptr, ref.id);
      if (element == nullptr) return grammar_error(ref.where, "undefined element " + ref.id);
      def->components.push_back({element, ref.mandatory});
    }
    if (!dir.composites.emplace(raw.id, std::move(def)).second) {
      return grammar_error(raw.refs.empty() ? "" : raw.refs.front().where,
                           "composite " + raw.id + " defined twice");
    }
  }
  for (RawBlock& raw : dir.raw_segments) {
    auto def = std::make_unique<SegmentDef>();
    def->tag = raw.id;
    def->name = raw.name;
    for (const RawRef& ref : raw.refs) {
      EntryDef entry;
      entry.mandatory = ref.mandatory;
      entry.max_repeats = ref.repeats;
      entry.composite =
          lookup(dir.composites, service != nullptr ? &service->composites : nullptr, ref.id);
      if (entry.composite == nullptr) {
        entry.element =
            lookup(dir.elements, service != nullptr ? &service->elements : nullptr, ref.id);
      }
      if (entry.composite == nullptr && entry.element == nullptr) {
        return grammar_error(ref.where, "undefined element or composite " + ref.id);
      }
      def->entries.push_back(entry);
    }
    if (!dir.segments.emplace(raw.id, std::move(def)).second) {
      return grammar_error(raw.refs.empty() ? "" : raw.refs.front().where,
                           "segment " + raw.id + " defined twice");
    }
  }
  return {};
}

StatusOr<std::unique_ptr<MessageDef>> build_message(const RawMessage& raw, const Directory& dir,
                                                    const Directory* service) {
  auto def = std::make_unique<MessageDef>();
  def->type = raw.type;
  def->version = raw.version;
  def->release = raw.release;
  def->agency = raw.agency;
  def->root.is_group = true;
  def->root.mandatory = true;
  std::vector<Node*> stack{&def->root};
  for (const RawLine& line : raw.lines) {
    if (line.end) {
      if (stack.size() == 1) return grammar_error(line.where, "'end' without a group");
      if (stack.back()->children.empty()) return grammar_error(line.where, "empty group");
      stack.pop_back();
      continue;
    }
    Node node;
    node.position = line.position;
    node.mandatory = line.mandatory;
    node.max = line.max;
    if (line.group) {
      node.is_group = true;
      node.group = line.group_number;
      if (stack.size() >= 15) return grammar_error(line.where, "groups nested too deep");
      stack.back()->children.push_back(std::move(node));
      stack.push_back(&stack.back()->children.back());
      continue;
    }
    node.segment =
        lookup(dir.segments, service != nullptr ? &service->segments : nullptr, line.tag);
    if (node.segment == nullptr) return grammar_error(line.where, "undefined segment " + line.tag);
    Node* parent = stack.back();
    if (parent != &def->root && parent->children.empty() && (!line.mandatory || line.max != 1)) {
      return grammar_error(line.where, "a group's first segment must be M 1");
    }
    parent->children.push_back(std::move(node));
  }
  if (stack.size() != 1) return grammar_error(raw.where, "group not closed with 'end'");
  const auto& top = def->root.children;
  if (top.empty() || top.front().is_group || top.front().segment->tag != "UNH" ||
      top.back().is_group || top.back().segment->tag != "UNT") {
    return grammar_error(raw.where, "a message table begins with UNH and ends with UNT");
  }
  set_triggers(def->root);
  return def;
}

}  // namespace

StatusOr<std::shared_ptr<const Grammars>> Grammars::from_files(
    const std::vector<GrammarFile>& files) {
  std::shared_ptr<Grammars> grammars(new Grammars());
  Impl& impl = *grammars->impl_;
  for (const GrammarFile& file : files) {
    SWG_RETURN_IF_ERROR(parse_file(file, impl.directories[file.directory]));
  }
  auto service_it = impl.directories.find(kServiceDirectory);
  const Directory* service = service_it != impl.directories.end() ? &service_it->second : nullptr;
  if (service != nullptr) SWG_RETURN_IF_ERROR(link(service_it->second, nullptr));
  for (auto& [name, dir] : impl.directories) {
    if (&dir != service) SWG_RETURN_IF_ERROR(link(dir, service));
  }
  for (auto& [name, dir] : impl.directories) {
    for (const RawMessage& raw : dir.raw_messages) {
      auto def = build_message(raw, dir, &dir == service ? nullptr : service);
      if (!def.ok()) return def.status();
      const std::string key = key_of(raw.type, raw.version, raw.release, raw.agency);
      if (impl.by_key.count(key) != 0) return grammar_error(raw.where, "message defined twice");
      impl.by_key.emplace(key, def->get());
      impl.messages.push_back(std::move(def).value());
    }
  }
  return std::shared_ptr<const Grammars>(std::move(grammars));
}

StatusOr<std::shared_ptr<const Grammars>> Grammars::load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return failed_precondition(std::string(codes::kGrammar), dir + ": not a folder");
  }
  std::vector<GrammarFile> files;
  for (const auto& sub : fs::directory_iterator(dir, ec)) {
    if (!sub.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(sub.path(), ec)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".txt") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      if (!in) {
        return failed_precondition(std::string(codes::kGrammar),
                                   entry.path().string() + ": cannot be read");
      }
      std::ostringstream text;
      text << in.rdbuf();
      files.push_back({sub.path().filename().string(), entry.path().filename().string(),
                       std::move(text).str()});
    }
  }
  if (ec) return failed_precondition(std::string(codes::kGrammar), dir + ": " + ec.message());
  // Directory listing order is unspecified; load in a stable order so errors are reproducible.
  std::sort(files.begin(), files.end(), [](const GrammarFile& a, const GrammarFile& b) {
    return std::tie(a.directory, a.name) < std::tie(b.directory, b.name);
  });
  return from_files(files);
}

const MessageDef* Grammars::find(std::string_view type, std::string_view version,
                                 std::string_view release, std::string_view agency) const {
  auto it = impl_->by_key.find(key_of(type, version, release, agency));
  return it == impl_->by_key.end() ? nullptr : it->second;
}

std::vector<const MessageDef*> Grammars::messages() const {
  std::vector<const MessageDef*> out;
  for (const auto& m : impl_->messages) out.push_back(m.get());
  return out;
}

}  // namespace swg::edifact
