#pragma once
// Incremental message digests (OpenSSL EVP underneath; no OpenSSL type in this header).

#include <memory>
#include <string>
#include <string_view>

#include "gateway/trust/algorithms.h"

namespace swg::trust {

/// One running digest. Reusable: reset() starts a new one with the same or another algorithm.
/// Not thread-safe; cheap to keep one per thread.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm = DigestAlgorithm::kSha256);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;

  void reset(DigestAlgorithm algorithm);
  void update(std::string_view bytes);
  /// The digest of everything since the last reset (raw bytes, digest_size() long). The hasher
  /// must be reset() before it is used again.
  std::string finish();
  DigestAlgorithm algorithm() const { return algorithm_; }

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
  DigestAlgorithm algorithm_;
};

/// One-shot digest of `bytes`.
std::string digest(DigestAlgorithm algorithm, std::string_view bytes);
/// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);
/// Standard base64 without line breaks.
std::string base64_encode(std::string_view bytes);
/// Decodes base64, skipping XML white space (space, tab, CR, LF) anywhere. False on any other
/// character outside the alphabet or bad padding.
bool base64_decode(std::string_view text, std::string* out);

}  // namespace swg::trust
