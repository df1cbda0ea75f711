// Single-thread throughput of the XML decode path: parse + validate + map (XmlDecoder), and the
// scan alone (parse + validate into a handler that does nothing) to show the mapper's share.
//
// Documents of 2 KB, 10 KB and 100 KB per type are made from each type's large fixture by keeping
// as many entries of its largest repeated field as fit, then written with encode_xml (indented,
// as partners send them). Run from the repository root:
//   build/bench/decode_bench --benchmark_filter=10k
// Reports bytes_per_second (MB/s) and items_per_second (documents/s).

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "adapters/documents/decoder.h"
#include "adapters/documents/registry.h"
#include "bench/sized_documents.h"

namespace swg::documents {
namespace {

namespace fs = std::filesystem;
using bench::document_of_size;
using bench::NullHandler;
using bench::read;
using bench::schemas;

void decode(benchmark::State& state, std::string document) {
  XmlDecoder decoder(schemas());
  v1::Envelope model;
  for (auto _ : state) {
    Status status = decoder.decode(document, &model);
    if (!status.ok()) {
      state.SkipWithError(status.to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(model);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * document.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["doc_bytes"] = static_cast<double>(document.size());
}

void scan_only(benchmark::State& state, std::string document) {
  auto scanner = xml::Scanner::create(schemas());
  NullHandler handler;
  for (auto _ : state) {
    Status status = scanner->scan(document, handler);
    if (!status.ok()) {
      state.SkipWithError(status.to_string().c_str());
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * document.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["doc_bytes"] = static_cast<double>(document.size());
}

void register_benchmarks() {
  for (const auto& kind : document_kinds()) {
    const std::string type = bench::type_folder(kind);
    auto model = bench::large_model(kind);
    if (!model.ok()) {
      std::cerr << "skipping " << type << ": " << model.status().to_string() << "\n";
      continue;
    }
    for (const auto& [label, size] : bench::kSizes) {
      std::string document = document_of_size(*model, size);
      benchmark::RegisterBenchmark(("decode/" + type + "/" + label).c_str(), decode, document);
      benchmark::RegisterBenchmark(("scan_only/" + type + "/" + label).c_str(), scan_only,
                                   document);
    }
  }
}

// The scanner alone on another corpus (SWG_BENCH_PEER_CORPUS=DIR with DIR/schema/*.xsd and
// DIR/rsa/{2k,10k,100k}/*.xml, as ../shared/peers/corpus/gen_corpus.py writes it), so that it can
// be compared with the peer pipelines on the very same documents and schema.
void register_peer_corpus() {
  const char* dir = std::getenv("SWG_BENCH_PEER_CORPUS");
  if (dir == nullptr || *dir == '\0') return;
  auto set = xml::SchemaSet::load((fs::path(dir) / "schema").string());
  if (!set.ok()) {
    std::cerr << "peer corpus: " << set.status().to_string() << "\n";
    return;
  }
  std::shared_ptr<const xml::SchemaSet> schemas = *set;
  for (const char* size : {"2k", "10k", "100k"}) {
    const std::vector<std::string> documents = bench::read_xml_files(fs::path(dir) / "rsa" / size);
    if (documents.empty()) continue;
    benchmark::RegisterBenchmark((std::string("scan_only/peer_corpus/") + size).c_str(),
                                 [schemas, documents](benchmark::State& state) {
                                   auto scanner = xml::Scanner::create(schemas);
                                   NullHandler handler;
                                   bench::run_each(state, documents,
                                                   [&](const std::string& document) {
                                                     return scanner->scan(document, handler);
                                                   });
                                 });
  }
}

}  // namespace
}  // namespace swg::documents

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  swg::documents::register_benchmarks();
  swg::documents::register_peer_corpus();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
