// Metrics in the Prometheus text format: exact rendering, label escaping, cumulative buckets,
// and counts that add up under concurrent recording.

#include "gateway/core/metrics.h"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace swg::metrics {
namespace {

TEST_CASE("counters, gauges and histograms render in the text format") {
  Registry registry;
  auto& submissions = registry.counter("swg_submissions_total", "Submissions received.",
                                       {"partner", "document_type"});
  auto& depth = registry.gauge("swg_outbox_depth", "Deliveries waiting.", {"destination"});
  auto& latency =
      registry.histogram("swg_stage_seconds", "Stage latency.", {"stage"}, {0.001, 0.01});
  submissions.with({"TH.ASW.GATEWAY", "ACDD"}).add(3);
  submissions.with({"VN.MOF.CUSTOMS", "CUSTOMS_DECLARATION"}).add();
  depth.with({"VN.MARD.PQ"}).set(12);
  auto& verify = latency.with({"verify"});
  verify.observe(0.0005);
  verify.observe(0.005);
  verify.observe(0.5);
  CHECK(
      registry.render() ==
      "# HELP swg_submissions_total Submissions received.\n"
      "# TYPE swg_submissions_total counter\n"
      "swg_submissions_total{partner=\"TH.ASW.GATEWAY\",document_type=\"ACDD\"} 3\n"
      "swg_submissions_total{partner=\"VN.MOF.CUSTOMS\",document_type=\"CUSTOMS_DECLARATION\"} 1\n"
      "# HELP swg_outbox_depth Deliveries waiting.\n"
      "# TYPE swg_outbox_depth gauge\n"
      "swg_outbox_depth{destination=\"VN.MARD.PQ\"} 12\n"
      "# HELP swg_stage_seconds Stage latency.\n"
      "# TYPE swg_stage_seconds histogram\n"
      "swg_stage_seconds_bucket{stage=\"verify\",le=\"0.001\"} 1\n"
      "swg_stage_seconds_bucket{stage=\"verify\",le=\"0.01\"} 2\n"
      "swg_stage_seconds_bucket{stage=\"verify\",le=\"+Inf\"} 3\n"
      "swg_stage_seconds_sum{stage=\"verify\"} 0.5055\n"
      "swg_stage_seconds_count{stage=\"verify\"} 3\n");
}

TEST_CASE("label values are escaped") {
  Registry registry;
  registry.counter("c", "h", {"code"}).with({"a\"b\\c\nd"}).add();
  CHECK(registry.render().find("c{code=\"a\\\"b\\\\c\\nd\"} 1\n") != std::string::npos);
}

TEST_CASE("concurrent recording loses nothing") {
  Registry registry;
  auto& family = registry.counter("n", "h", {"t"});
  auto& histogram = registry.histogram("h", "h", {});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        family.with({t % 2 == 0 ? "even" : "odd"}).add();
        histogram.with({}).observe(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(family.with({"even"}).value() == 20000);
  CHECK(family.with({"odd"}).value() == 20000);
  CHECK(histogram.with({}).count() == 40000);
}

}  // namespace
}  // namespace swg::metrics
