#pragma once
// One EDIFACT segment held flat: its unescaped values in one buffer plus three small index
// arrays (data elements → repetitions → components), held inline up to 8 entries each. The lexer
// refills one Segment per segment without allocating once capacities have grown; the parse tree
// keeps copies, which allocate for the values only (and for segments with more than 8 entries).
//
// Positions follow ISO 9735 counting, as CONTRL reports them: element 0 is the segment tag,
// data elements are numbered from 1, components and repetitions from 1.
// Trailing empty data elements, repetitions and components are not significant (ISO 9735 lets a
// sender omit them): counts ignore them, and equality compares what remains.

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/edifact/small_vector.h"

namespace swg::edifact {

class Segment {
  struct Span {
    std::uint32_t begin;
    std::uint32_t end;
  };

 public:
  /// The components of one repetition of a data element, located once: for reading all of them
  /// without value() locating the repetition again for each. Valid while the segment is unchanged.
  class Components {
   public:
    /// Component `component` (1-based), as value() gives it: empty when absent.
    std::string_view operator()(std::uint32_t component) const {
      if (component == 0 || component > size_) return {};
      const Span& span = spans_[component - 1];
      return std::string_view(data_ + span.begin, span.end - span.begin);
    }
    /// Number of components, trailing empty ones excluded, as component_count() counts.
    std::uint32_t count() const {
      std::uint32_t n = size_;
      while (n > 0 && spans_[n - 1].end == spans_[n - 1].begin) --n;
      return n;
    }

   private:
    friend class Segment;
    const char* data_ = nullptr;
    const Span* spans_ = nullptr;
    std::uint32_t size_ = 0;  // trailing empty components included
  };

  Segment() = default;
  /// A new segment with tag `tag` and no data elements (for writers and tests).
  explicit Segment(std::string_view tag);

  std::string_view tag() const { return value(0); }
  /// Number of data elements after the tag, trailing empty ones excluded.
  std::uint32_t element_count() const;
  /// Repetitions of data element `element` (1-based), trailing empty ones excluded; 0 if absent.
  std::uint32_t repetition_count(std::uint32_t element) const;
  /// Components of one repetition of `element`, trailing empty ones excluded; 0 if absent.
  std::uint32_t component_count(std::uint32_t element, std::uint32_t repetition = 1) const;
  /// The unescaped value; empty when that position is absent.
  std::string_view value(std::uint32_t element, std::uint32_t component = 1,
                         std::uint32_t repetition = 1) const;
  /// The components of one repetition of `element`; none when that repetition is absent.
  Components components(std::uint32_t element, std::uint32_t repetition = 1) const;

  /// Appends a data element whose one repetition holds `components` (builders and tests).
  Segment& add(std::initializer_list<std::string_view> components);
  /// Appends a data element with several repetitions (syntax 4).
  Segment& add_repeated(std::initializer_list<std::initializer_list<std::string_view>> reps);

  /// Same tag and same significant values.
  friend bool operator==(const Segment& a, const Segment& b);

  /// Unescaped bytes held (for memory accounting).
  std::size_t byte_size() const { return data_.size(); }
  /// Every value of the segment, the tag included, unescaped and concatenated without
  /// separators: for questions about the content as a whole, such as "any byte above 0x7F?".
  std::string_view bytes() const { return data_; }

  // Incremental construction, used by the Lexer. A segment under construction always has an
  // open element, repetition and component.
  void clear();
  void append(char c) { data_.push_back(c); }
  void append(std::string_view bytes) { data_.append(bytes); }
  void next_component() {
    const auto end = static_cast<std::uint32_t>(data_.size());
    components_.push_back({open_begin_, end});
    open_begin_ = end;
  }
  void next_repetition() {
    next_component();
    repetitions_.push_back(components_.size());
  }
  void next_element() {
    next_repetition();
    elements_.push_back(repetitions_.size() - 1);
  }
  /// Closes the open component; the segment is complete.
  void close() { next_component(); }
  /// Bytes of the open component so far.
  std::string_view open_component() const {
    return std::string_view(data_.data() + open_begin_, data_.size() - open_begin_);
  }
  std::uint32_t open_element() const { return elements_.size() - 1; }
  std::uint32_t open_repetition() const { return repetitions_.size() - elements_.back(); }
  std::uint32_t open_component_position() const {
    return components_.size() - repetitions_.back() + 1;
  }

 private:
  bool element_empty(std::uint32_t element) const;
  bool repetition_empty(std::uint32_t rep_index) const;
  std::uint32_t raw_reps_end(std::uint32_t element) const;
  std::uint32_t raw_comps_end(std::uint32_t rep_index) const;

  std::string data_;
  SmallVector<Span, 8> components_;
  SmallVector<std::uint32_t, 8> repetitions_;  // first component index of each repetition
  SmallVector<std::uint32_t, 8> elements_;     // first repetition index of each element
  std::uint32_t open_begin_ = 0;               // start of the open component in data_
};

/// Equality of segment tags for the hot loops of the validator and the mappers: a tag is three
/// characters, compared here without a call into the library.
inline bool same_tag(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() != 3) return a == b;
  return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

/// A three-character tag packed into one integer, for comparing and switching on tags; 0 for a
/// tag of any other length (compare those as strings). Distinct three-character tags have
/// distinct codes.
constexpr std::uint32_t tag_code(std::string_view tag) {
  if (tag.size() != 3) return 0;
  return 1u << 24 | static_cast<std::uint32_t>(static_cast<unsigned char>(tag[0])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(tag[1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(tag[2]));
}

// value(), the counts and the index helpers are inline: the validator and the mappers call them
// once per component of every segment.
inline std::uint32_t Segment::raw_reps_end(std::uint32_t element) const {
  return element + 1 < elements_.size() ? elements_[element + 1]
                                        : static_cast<std::uint32_t>(repetitions_.size());
}

inline std::uint32_t Segment::raw_comps_end(std::uint32_t rep_index) const {
  return rep_index + 1 < repetitions_.size() ? repetitions_[rep_index + 1]
                                             : static_cast<std::uint32_t>(components_.size());
}

inline std::string_view Segment::value(std::uint32_t element, std::uint32_t component,
                                       std::uint32_t repetition) const {
  if (element >= elements_.size() || component == 0 || repetition == 0) return {};
  const std::uint32_t rep = elements_[element] + repetition - 1;
  if (rep >= raw_reps_end(element)) return {};
  const std::uint32_t comp = repetitions_[rep] + component - 1;
  if (comp >= raw_comps_end(rep)) return {};
  const Span& span = components_[comp];
  return std::string_view(data_.data() + span.begin, span.end - span.begin);
}

inline Segment::Components Segment::components(std::uint32_t element,
                                               std::uint32_t repetition) const {
  Components out;
  if (element >= elements_.size() || repetition == 0) return out;
  const std::uint32_t rep = elements_[element] + repetition - 1;
  if (rep >= raw_reps_end(element)) return out;
  const std::uint32_t first = repetitions_[rep];
  out.size_ = raw_comps_end(rep) - first;
  if (out.size_ == 0) return out;
  out.data_ = data_.data();
  out.spans_ = &components_[first];
  return out;
}

inline bool Segment::repetition_empty(std::uint32_t rep_index) const {
  for (std::uint32_t c = repetitions_[rep_index]; c < raw_comps_end(rep_index); ++c) {
    if (components_[c].end != components_[c].begin) return false;
  }
  return true;
}

inline bool Segment::element_empty(std::uint32_t element) const {
  for (std::uint32_t r = elements_[element]; r < raw_reps_end(element); ++r) {
    if (!repetition_empty(r)) return false;
  }
  return true;
}

inline std::uint32_t Segment::element_count() const {
  if (elements_.empty()) return 0;
  auto n = static_cast<std::uint32_t>(elements_.size());
  while (n > 1 && element_empty(n - 1)) --n;
  return n - 1;
}

inline std::uint32_t Segment::repetition_count(std::uint32_t element) const {
  if (element >= elements_.size()) return 0;
  std::uint32_t first = elements_[element];
  std::uint32_t end = raw_reps_end(element);
  while (end > first && repetition_empty(end - 1)) --end;
  return end - first;
}

inline std::uint32_t Segment::component_count(std::uint32_t element,
                                              std::uint32_t repetition) const {
  if (element >= elements_.size() || repetition == 0) return 0;
  std::uint32_t rep = elements_[element] + repetition - 1;
  if (rep >= raw_reps_end(element)) return 0;
  std::uint32_t first = repetitions_[rep];
  std::uint32_t end = raw_comps_end(rep);
  while (end > first && components_[end - 1].end == components_[end - 1].begin) --end;
  return end - first;
}

}  // namespace swg::edifact
