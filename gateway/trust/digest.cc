#include "gateway/trust/digest.h"

#include <array>

#include "gateway/core/status.h"
#include "gateway/trust/openssl.h"

namespace swg::trust {
namespace {

EvpMdPtr fetch(const char* name) {
  EvpMdPtr md(EVP_MD_fetch(nullptr, name, nullptr));
  SWG_ASSERT(md != nullptr);  // the default provider always has the SHA-2 family
  return md;
}

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Decoding table: 0..63 the value of an alphabet character, kSpace for XML white space, kPad for
// '=', kBad for anything else.
constexpr std::uint8_t kSpace = 64, kPad = 65, kBad = 255;
constexpr std::array<std::uint8_t, 256> kBase64 = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(kBad);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
  for (unsigned char c : {' ', '\t', '\r', '\n'}) t[c] = kSpace;
  t['='] = kPad;
  return t;
}();

}  // namespace

const EVP_MD* evp_md(DigestAlgorithm algorithm) {
  static const std::array<EvpMdPtr, 3> kMds = {fetch("SHA256"), fetch("SHA384"), fetch("SHA512")};
  switch (algorithm) {
    case DigestAlgorithm::kSha256: return kMds[0].get();
    case DigestAlgorithm::kSha384: return kMds[1].get();
    case DigestAlgorithm::kSha512: return kMds[2].get();
  }
  return kMds[0].get();
}

struct Hasher::Ctx {
  EvpMdCtxPtr md_ctx{EVP_MD_CTX_new()};
};

Hasher::Hasher(DigestAlgorithm algorithm) : ctx_(std::make_unique<Ctx>()), algorithm_(algorithm) {
  SWG_ASSERT(ctx_->md_ctx != nullptr);
  reset(algorithm);
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::reset(DigestAlgorithm algorithm) {
  algorithm_ = algorithm;
  SWG_ASSERT(EVP_DigestInit_ex(ctx_->md_ctx.get(), evp_md(algorithm), nullptr) == 1);
}

void Hasher::update(std::string_view bytes) {
  SWG_ASSERT(EVP_DigestUpdate(ctx_->md_ctx.get(), bytes.data(), bytes.size()) == 1);
}

std::string Hasher::finish() {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  SWG_ASSERT(EVP_DigestFinal_ex(ctx_->md_ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                                &size) == 1);
  out.resize(size);
  return out;
}

std::string digest(DigestAlgorithm algorithm, std::string_view bytes) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  SWG_ASSERT(EVP_Digest(bytes.data(), bytes.size(), reinterpret_cast<unsigned char*>(out.data()),
                        &size, evp_md(algorithm), nullptr) == 1);
  out.resize(size);
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(kBase64Alphabet[(n >> 6) & 63]);
    out.push_back(kBase64Alphabet[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
  if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
  out.push_back(kBase64Alphabet[(n >> 18) & 63]);
  out.push_back(kBase64Alphabet[(n >> 12) & 63]);
  out.push_back(rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=');
  out.push_back('=');
  return out;
}

bool base64_decode(std::string_view text, std::string* out) {
  // Runs once per certificate, digest and signature value of every message: one table lookup a
  // character, written through a pointer into space reserved up front.
  out->resize(text.size() / 4 * 3 + 3);
  char* p = out->data();
  std::uint32_t accumulator = 0;
  int bits = 0;
  int padding = 0;
  std::size_t symbols = 0;
  for (const char c : text) {
    const std::uint8_t value = kBase64[static_cast<unsigned char>(c)];
    if (value < 64) {
      if (padding > 0) return false;  // data after padding
      ++symbols;
      accumulator = (accumulator << 6) | value;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        *p++ = static_cast<char>((accumulator >> bits) & 0xff);
      }
    } else if (value == kPad) {
      ++padding;
      ++symbols;
    } else if (value != kSpace) {
      return false;  // outside the alphabet
    }
  }
  out->resize(static_cast<std::size_t>(p - out->data()));
  if (symbols % 4 != 0 || padding > 2) return false;
  // The padding must match the leftover bits, and the leftover bits must be zero.
  if ((padding == 1 && bits != 2) || (padding == 2 && bits != 4) || (padding == 0 && bits != 0))
    return false;
  return (accumulator & ((1u << bits) - 1)) == 0;
}

}  // namespace swg::trust
