#pragma once
// The UN/EDIFACT message grammars of the source tree, loaded once per test program. A test
// including this links swg::edifact. A grammar that does not load fails the calling test.

#include <catch2/catch.hpp>
#include <memory>

#include "adapters/edifact/grammar.h"
#include "tests/support/fixtures.h"

namespace swg::testing {

inline std::shared_ptr<const edifact::Grammars> edifact_grammars() {
  static const auto loaded = [] {
    auto g = edifact::Grammars::load((source_dir() / "adapters/edifact/grammars").string());
    INFO(g.status().to_string());
    REQUIRE(g.ok());
    return *g;
  }();
  return loaded;
}

}  // namespace swg::testing
