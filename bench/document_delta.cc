#include "bench/document_delta.h"

#include <cstdint>
#include <cstring>

namespace swg::bench {
namespace {

// A copy shorter than this costs more to encode than the bytes it saves, and a resynchronising
// search for a shorter run would find chance matches inside base64 values.
constexpr std::size_t kMinRun = 24;
// How far ahead in the reference a resynchronising search looks.
constexpr std::size_t kWindow = 2048;

void put_u32(std::string& out, std::size_t value) {
  const auto v = static_cast<std::uint32_t>(value);
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::size_t common_length(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

DocumentDelta DocumentDelta::encode(std::string_view document, std::string_view reference) {
  DocumentDelta delta;
  delta.size_ = document.size();
  std::string& ops = delta.ops_;
  const auto flush_literal = [&](std::size_t from, std::size_t to) {
    if (to == from) return;
    ops.push_back('L');
    put_u32(ops, to - from);
    ops.append(document.substr(from, to - from));
  };
  std::size_t i = 0, j = 0, literal_from = 0, literal_j = 0;
  while (i < document.size()) {
    const std::size_t run = common_length(document.substr(i), reference.substr(j));
    if (run >= kMinRun) {
      flush_literal(literal_from, i);
      ops.push_back('C');
      put_u32(ops, j);
      put_u32(ops, run);
      i += run;
      j += run;
      literal_from = i;
      literal_j = j;
      continue;
    }
    // Byte i differs: it joins the literal. Resynchronise at i + 1 if the document goes on as the
    // reference does, first where a value of the same length would end, then anywhere ahead.
    ++i;
    if (i + kMinRun > document.size()) continue;
    const std::string_view next = document.substr(i, kMinRun);
    const std::size_t aligned = literal_j + (i - literal_from);
    if (aligned + kMinRun <= reference.size() && reference.substr(aligned, kMinRun) == next) {
      j = aligned;
      continue;
    }
    if (literal_j < reference.size()) {
      const std::size_t found = reference.substr(literal_j, kWindow).find(next);
      if (found != std::string_view::npos) j = literal_j + found;
    }
  }
  flush_literal(literal_from, document.size());
  return delta;
}

void DocumentDelta::decode(std::string_view reference, std::string& out) const {
  out.resize(size_);
  char* write = out.data();
  for (const char *p = ops_.data(), *end = p + ops_.size(); p < end;) {
    if (*p++ == 'C') {
      const std::uint32_t offset = get_u32(p), length = get_u32(p + 4);
      p += 8;
      std::memcpy(write, reference.data() + offset, length);
      write += length;
    } else {
      const std::uint32_t length = get_u32(p);
      p += 4;
      std::memcpy(write, p, length);
      p += length;
      write += length;
    }
  }
}

}  // namespace swg::bench
