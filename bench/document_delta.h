#pragma once
// A document kept as its differences from a reference document: runs copied from the reference
// and literal bytes. The load generator's pre-signed documents of one template differ from each
// other only in their message id, digest and signature values, so a corpus kept this way takes
// about a twenty-fifth of the memory, and the generator's working set during a run no longer
// grows with the corpus (each document is rebuilt, from hot memory, just before it is sent).

#include <cstddef>
#include <string>
#include <string_view>

namespace swg::bench {

class DocumentDelta {
 public:
  /// The delta that rebuilds `document` from `reference`. Never fails: where the two share
  /// nothing, the delta is the whole document as one literal. Inputs must be under 4 GiB.
  static DocumentDelta encode(std::string_view document, std::string_view reference);

  /// Writes into `out` (replacing its contents) the document this delta was encoded from;
  /// `reference` must be the same bytes given to encode().
  void decode(std::string_view reference, std::string& out) const;

  /// Bytes of the rebuilt document.
  std::size_t size() const { return size_; }
  /// Bytes this delta holds (its operations and literals).
  std::size_t stored_bytes() const { return ops_.size(); }

 private:
  std::string ops_;  // a sequence of 'C' offset length (copy) and 'L' length bytes (literal)
  std::size_t size_ = 0;
};

}  // namespace swg::bench
