#pragma once
// Message structures as data: UN/EDIFACT directories (data elements, composites, segments, code
// lists) and message segment tables, read at start-up from text files in a folder (the format is
// in docs/edifact.md; the shipped grammars are in adapters/edifact/grammars/). Immutable once
// loaded: share one Grammars between all threads.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"

namespace swg::edifact {

enum class ValueType : std::uint8_t { kAlpha, kNumeric, kAlphanumeric };

/// Whether the sorted list `codes` holds `value`: a binary search comparing the few bytes of a
/// code in line rather than through the library.
bool in_code_list(const std::vector<std::string>& codes, std::string_view value);

/// A simple data element (e.g. 1004 an..35).
struct ElementDef {
  std::string id;
  ValueType type = ValueType::kAlphanumeric;
  std::uint16_t min_length = 0;
  std::uint16_t max_length = 0;
  std::string name;
  std::vector<std::string> codes;  ///< sorted; empty when the value is not checked against a list

  /// Whether `value` is in the code list (true when there is none). Inline: the validator asks
  /// for every value, and most elements have no list.
  bool accepts_code(std::string_view value) const {
    return codes.empty() || in_code_list(codes, value);
  }
};

struct ComponentDef {
  const ElementDef* element = nullptr;
  bool mandatory = false;
};

/// A composite data element (e.g. C002).
struct CompositeDef {
  std::string id;
  std::string name;
  std::vector<ComponentDef> components;
};

/// One data element position of a segment: a simple element or a composite.
struct EntryDef {
  const ElementDef* element = nullptr;      ///< set for a simple element
  const CompositeDef* composite = nullptr;  ///< set for a composite
  bool mandatory = false;
  std::uint32_t max_repeats = 1;  ///< repetitions allowed (syntax 4)

  std::string_view id() const { return composite != nullptr ? composite->id : element->id; }
};

struct SegmentDef {
  std::string tag;
  std::string name;
  std::vector<EntryDef> entries;
};

/// A position of a segment table: a segment or a segment group with its children.
struct Node {
  bool is_group = false;
  std::string position;  ///< e.g. "0130"
  bool mandatory = false;
  std::uint32_t max = 1;
  const SegmentDef* segment = nullptr;  ///< for a segment
  std::uint32_t group = 0;              ///< group number, for a group
  std::vector<Node> children;           ///< for a group; the first child is its trigger segment

  /// The tag that starts this position: the segment's, or the group's trigger segment's.
  std::string_view tag() const { return trigger; }

  /// What tag() returns, set once the table is loaded (it points into the SegmentDef).
  std::string_view trigger;
  /// tag_code(trigger) (segment.h), set with it.
  std::uint32_t trigger_code = 0;
};

/// A message type of one directory, e.g. CUSDEC D 96B UN.
struct MessageDef {
  std::string type;
  std::string version;
  std::string release;
  std::string agency;
  Node root;  ///< a group-like node holding the top-level positions, UNH first and UNT last
};

/// One grammar file: its directory (a folder name such as "D96B" or "service") and its text.
struct GrammarFile {
  std::string directory;
  std::string name;  ///< for error messages
  std::string text;
};

class Grammars {
 public:
  /// Loads every *.txt in every sub-folder of `dir`; each sub-folder is one directory, and the
  /// one named "service" (service segments and CONTRL) is visible from every other.
  /// Errors: FAILED_PRECONDITION EDI_GRAMMAR naming file:line.
  static StatusOr<std::shared_ptr<const Grammars>> load(const std::string& dir);
  /// The same from texts already read.
  static StatusOr<std::shared_ptr<const Grammars>> from_files(
      const std::vector<GrammarFile>& files);

  ~Grammars();
  Grammars(const Grammars&) = delete;
  Grammars& operator=(const Grammars&) = delete;

  /// The message definition for UNH S009, or null when there is none.
  const MessageDef* find(std::string_view type, std::string_view version, std::string_view release,
                         std::string_view agency) const;
  /// All loaded messages, for listing.
  std::vector<const MessageDef*> messages() const;

 private:
  struct Impl;
  Grammars();
  std::unique_ptr<Impl> impl_;
};

}  // namespace swg::edifact
