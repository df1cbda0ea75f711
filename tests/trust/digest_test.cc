#include "gateway/trust/digest.h"

#include <catch2/catch.hpp>

namespace swg::trust {
namespace {

constexpr const char* kSha256Abc =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kSha384Abc =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825"
    "a7";
constexpr const char* kSha512Abc =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
    "bbd454d4423643ce80e2a9ac94fa54ca49f";

TEST_CASE("one-shot digests match the FIPS 180 examples", "[digest]") {
  CHECK(to_hex(digest(DigestAlgorithm::kSha256, "abc")) == kSha256Abc);
  CHECK(to_hex(digest(DigestAlgorithm::kSha384, "abc")) == kSha384Abc);
  CHECK(to_hex(digest(DigestAlgorithm::kSha512, "abc")) == kSha512Abc);
  CHECK(digest(DigestAlgorithm::kSha512, "").size() == 64);
}

TEST_CASE("a Hasher digests in pieces and is reusable", "[digest]") {
  Hasher hasher;
  CHECK(hasher.algorithm() == DigestAlgorithm::kSha256);
  hasher.update("a");
  hasher.update("");
  hasher.update("bc");
  CHECK(to_hex(hasher.finish()) == kSha256Abc);

  SECTION("reset to another algorithm") {
    hasher.reset(DigestAlgorithm::kSha384);
    CHECK(hasher.algorithm() == DigestAlgorithm::kSha384);
    hasher.update("abc");
    CHECK(to_hex(hasher.finish()) == kSha384Abc);
  }
  SECTION("moved") {
    Hasher moved(std::move(hasher));
    moved.reset(DigestAlgorithm::kSha512);
    moved.update("ab");
    moved.update("c");
    CHECK(to_hex(moved.finish()) == kSha512Abc);
  }
}

TEST_CASE("hex is lower case", "[digest]") {
  CHECK(to_hex(std::string("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(to_hex("") == "");
}

TEST_CASE("base64 follows RFC 4648", "[digest]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(base64_encode(plain) == encoded);
    std::string decoded;
    CHECK(base64_decode(encoded, &decoded));
    CHECK(decoded == plain);
  }
  const std::string binary("\x00\xff\x10\x80\x7f", 5);
  std::string decoded;
  CHECK(base64_decode(base64_encode(binary), &decoded));
  CHECK(decoded == binary);
}

TEST_CASE("base64 decoding skips XML white space and refuses anything else", "[digest]") {
  std::string decoded;
  CHECK(base64_decode(" Zm9v\r\n YmFy\t", &decoded));
  CHECK(decoded == "foobar");
  CHECK(base64_decode("Zm9v\nYg=\n=", &decoded));
  CHECK(decoded == "foob");

  CHECK_FALSE(base64_decode("Zm9v!mFy", &decoded));  // not in the alphabet
  CHECK_FALSE(base64_decode("Zm9-YmFy", &decoded));  // base64url is another alphabet
  CHECK_FALSE(base64_decode("Zm9vYg", &decoded));    // missing padding
  CHECK_FALSE(base64_decode("Zm9vY===", &decoded));  // too much padding
  CHECK_FALSE(base64_decode("Zg==Zg==", &decoded));  // data after padding
  CHECK_FALSE(base64_decode("Zh==", &decoded));      // non-zero bits after the last byte
  CHECK_FALSE(base64_decode("Zm8\v=", &decoded));    // vertical tab is not XML white space
}

}  // namespace
}  // namespace swg::trust
