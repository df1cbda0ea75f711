#include "bench/document_delta.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>

namespace swg::bench {
namespace {

std::string rebuilt(const DocumentDelta& delta, std::string_view reference) {
  std::string out = "stale contents";
  delta.decode(reference, out);
  return out;
}

std::string random_text(std::mt19937& rng, std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/<>= ";
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string s(n, ' ');
  for (auto& c : s) c = kAlphabet[pick(rng)];
  return s;
}

// A signed document's shape: a long shared body with a message id, a digest and a signature
// value that differ between documents.
std::string signed_like(const std::string& id, const std::string& digest,
                        const std::string& signature, const std::string& body) {
  return "<Envelope><MessageId>" + id + "</MessageId>" + body + "<ds:DigestValue>" + digest +
         "</ds:DigestValue>" + body.substr(0, 500) + "<ds:SignatureValue>" + signature +
         "</ds:SignatureValue>" + body.substr(500) + "</Envelope>";
}

}  // namespace

TEST_CASE("a document is rebuilt exactly from its delta") {
  std::mt19937 rng(20261124);
  const std::string body = random_text(rng, 10000);
  const std::string reference =
      signed_like("LD-R0", random_text(rng, 44), random_text(rng, 344), body);

  SECTION("the reference itself is one copy") {
    const auto delta = DocumentDelta::encode(reference, reference);
    CHECK(rebuilt(delta, reference) == reference);
    CHECK(delta.size() == reference.size());
    CHECK(delta.stored_bytes() == 9);
  }
  SECTION("values of the same length and an id of another length are kept as literals") {
    const std::string digest = random_text(rng, 44), signature = random_text(rng, 344);
    const std::string document = signed_like("LD-119999", digest, signature, body);
    const auto delta = DocumentDelta::encode(document, reference);
    CHECK(rebuilt(delta, reference) == document);
    CHECK(delta.size() == document.size());
    // The three values and a few operations, not the body.
    CHECK(delta.stored_bytes() < 9 + 44 + 344 + 100);
  }
  SECTION("without a reference the document is one literal") {
    const std::string document = signed_like("LD-7", "d", "s", body);
    const auto delta = DocumentDelta::encode(document, "");
    CHECK(rebuilt(delta, "") == document);
    CHECK(delta.stored_bytes() == document.size() + 5);
  }
  SECTION("an empty document") {
    const auto delta = DocumentDelta::encode("", reference);
    CHECK(rebuilt(delta, reference).empty());
  }
  SECTION("a document that shares nothing with the reference") {
    const std::string document = random_text(rng, 3000);
    CHECK(rebuilt(DocumentDelta::encode(document, reference), reference) == document);
  }
}

TEST_CASE("random edits of a reference are rebuilt exactly") {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    const std::string reference = random_text(rng, 1 + rng() % 5000);
    std::string document = reference;
    const int edits = static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !document.empty(); ++e) {
      const std::size_t at = rng() % document.size();
      const std::size_t length = std::min<std::size_t>(rng() % 400, document.size() - at);
      switch (rng() % 3) {
        case 0: document.erase(at, length); break;
        case 1: document.insert(at, random_text(rng, rng() % 400)); break;
        default: document.replace(at, length, random_text(rng, rng() % 400)); break;
      }
    }
    // Moved blocks, too: a copy may point backwards in the reference.
    if (round % 5 == 0 && document.size() > 200) document += document.substr(0, 200);
    INFO("round " << round);
    const auto delta = DocumentDelta::encode(document, reference);
    REQUIRE(rebuilt(delta, reference) == document);
  }
}

}  // namespace swg::bench
