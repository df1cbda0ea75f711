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

void Segment::next_component() {
  components_.push_back({open_begin_, static_cast<std::uint32_t>(data_.size())});
  open_begin_ = static_cast<std::uint32_t>(data_.size());
}

void Segment::next_repetition() {
  next_component();
  repetitions_.push_back(static_cast<std::uint32_t>(components_.size()));
}

void Segment::next_element() {
  next_repetition();
  elements_.push_back(static_cast<std::uint32_t>(repetitions_.size()) - 1);
}

void Segment::close() {
  next_component();
}

std::string_view Segment::open_component() const {
  return std::string_view(data_).substr(open_begin_);
}

std::uint32_t Segment::open_repetition() const {
  return static_cast<std::uint32_t>(repetitions_.size()) - elements_.back();
}

std::uint32_t Segment::open_component_position() const {
  return static_cast<std::uint32_t>(components_.size()) - repetitions_.back() + 1;
}

bool Segment::repetition_empty(std::uint32_t rep_index) const {
  for (std::uint32_t c = repetitions_[rep_index]; c < raw_comps_end(rep_index); ++c) {
    if (components_[c].end != components_[c].begin) return false;
  }
  return true;
}

bool Segment::element_empty(std::uint32_t element) const {
  for (std::uint32_t r = elements_[element]; r < raw_reps_end(element); ++r) {
    if (!repetition_empty(r)) return false;
  }
  return true;
}

std::uint32_t Segment::element_count() const {
  if (elements_.empty()) return 0;
  auto n = static_cast<std::uint32_t>(elements_.size());
  while (n > 1 && element_empty(n - 1)) --n;
  return n - 1;
}

std::uint32_t Segment::repetition_count(std::uint32_t element) const {
  if (element >= elements_.size()) return 0;
  std::uint32_t first = elements_[element];
  std::uint32_t end = raw_reps_end(element);
  while (end > first && repetition_empty(end - 1)) --end;
  return end - first;
}

std::uint32_t Segment::component_count(std::uint32_t element, std::uint32_t repetition) const {
  if (element >= elements_.size() || repetition == 0) return 0;
  std::uint32_t rep = elements_[element] + repetition - 1;
  if (rep >= raw_reps_end(element)) return 0;
  std::uint32_t first = repetitions_[rep];
  std::uint32_t end = raw_comps_end(rep);
  while (end > first && components_[end - 1].end == components_[end - 1].begin) --end;
  return end - first;
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
