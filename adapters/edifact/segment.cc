#include "adapters/edifact/segment.h"

namespace swg::edifact {

Segment::Segment(std::string_view tag) {
  clear();
  append(tag);
  close();
}

void Segment::clear() {
  data_.clear();
  components_.clear();
  repetitions_.clear();
  elements_.clear();
  elements_.push_back(0);
  repetitions_.push_back(0);
  open_begin_ = 0;
}

Segment& Segment::add(std::initializer_list<std::string_view> components) {
  return add_repeated({components});
}

Segment& Segment::add_repeated(
    std::initializer_list<std::initializer_list<std::string_view>> reps) {
  // Reopen the closed segment: drop the closing component, append, close again.
  if (elements_.empty())
    clear();
  else {
    open_begin_ = components_.back().begin;
    components_.pop_back();
  }
  bool first_rep = true;
  for (const auto& rep : reps) {
    if (first_rep) {
      next_element();
      first_rep = false;
    } else {
      next_repetition();
    }
    bool first_comp = true;
    for (std::string_view comp : rep) {
      if (!first_comp) next_component();
      first_comp = false;
      append(comp);
    }
  }
  close();
  return *this;
}

bool operator==(const Segment& a, const Segment& b) {
  if (a.tag() != b.tag()) return false;
  const std::uint32_t elements = a.element_count();
  if (elements != b.element_count()) return false;
  for (std::uint32_t e = 1; e <= elements; ++e) {
    const std::uint32_t reps = a.repetition_count(e);
    if (reps != b.repetition_count(e)) return false;
    for (std::uint32_t r = 1; r <= reps; ++r) {
      const std::uint32_t comps = a.component_count(e, r);
      if (comps != b.component_count(e, r)) return false;
      for (std::uint32_t c = 1; c <= comps; ++c) {
        if (a.value(e, c, r) != b.value(e, c, r)) return false;
      }
    }
  }
  return true;
}

}  // namespace swg::edifact
