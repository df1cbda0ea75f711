// SmallVector: values stay the same across the inline/heap boundary, copies and moves.
#include <cstdint>

#include <catch2/catch.hpp>

#include "adapters/edifact/small_vector.h"

namespace swg::edifact {
namespace {

using Vec = SmallVector<std::uint32_t, 4>;

Vec counting(std::uint32_t n) {
  Vec v;
  for (std::uint32_t i = 0; i < n; ++i) v.push_back(i * 7);
  return v;
}

void check_counting(const Vec& v, std::uint32_t n) {
  REQUIRE(v.size() == n);
  for (std::uint32_t i = 0; i < n; ++i) CHECK(v[i] == i * 7);
}

}  // namespace

TEST_CASE("small vector: inline and grown") {
  for (std::uint32_t n : {0u, 1u, 4u, 5u, 9u, 100u}) {
    INFO(n);
    Vec v = counting(n);
    check_counting(v, n);
    SECTION("copy") {
      Vec copy(v);
      check_counting(copy, n);
      check_counting(v, n);
      Vec assigned = counting(50);
      assigned = v;
      check_counting(assigned, n);
    }
    SECTION("move") {
      Vec moved(std::move(v));
      check_counting(moved, n);
      Vec assigned = counting(3);
      assigned = std::move(moved);
      check_counting(assigned, n);
      assigned.push_back(1);
      CHECK(assigned.back() == 1);
    }
    SECTION("clear and reuse") {
      v.clear();
      CHECK(v.empty());
      for (std::uint32_t i = 0; i < 12; ++i) v.push_back(i * 7);
      check_counting(v, 12);
      v.pop_back();
      check_counting(v, 11);
    }
  }
}

}  // namespace swg::edifact
