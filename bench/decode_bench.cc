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

#include <google/protobuf/descriptor.h>

#include "adapters/documents/decoder.h"
#include "adapters/documents/registry.h"

namespace swg::documents {
namespace {

namespace fs = std::filesystem;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

fs::path source_dir() {
  if (const char* env = std::getenv("SWG_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  return SWG_SOURCE_DIR_DEFAULT;
}

std::shared_ptr<const xml::SchemaSet> schemas() {
  static const auto loaded = [] {
    auto set = xml::SchemaSet::load((source_dir() / "xsd").string());
    if (!set.ok()) {
      std::cerr << "cannot load schemas: " << set.status().to_string() << "\n";
      std::exit(2);
    }
    return *set;
  }();
  return loaded;
}

// The repeated message field holding the most entries, anywhere in `message`.
struct Repetition {
  Message* owner = nullptr;
  const FieldDescriptor* field = nullptr;
  int size = 0;
};

void find_largest(Message* message, Repetition* best) {
  const auto* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      int size = reflection->FieldSize(*message, field);
      if (size > best->size) *best = {message, field, size};
      for (int i = 0; i < size; ++i) {
        find_largest(reflection->MutableRepeatedMessage(message, field, i), best);
      }
    } else {
      find_largest(reflection->MutableMessage(message, field), best);
    }
  }
}

// `model` with only the first `keep` entries of its largest repeated field.
v1::Envelope truncated(const v1::Envelope& model, int keep) {
  v1::Envelope copy = model;
  Repetition rep;
  find_largest(&copy, &rep);
  if (rep.owner == nullptr) return copy;
  const auto* reflection = rep.owner->GetReflection();
  while (reflection->FieldSize(*rep.owner, rep.field) > keep) {
    reflection->RemoveLast(rep.owner, rep.field);
  }
  return copy;
}

// `large` cut down to the largest document not bigger than `target` bytes (at least one entry).
std::string document_of_size(const v1::Envelope& large, std::size_t target) {
  Repetition rep;
  v1::Envelope probe = large;
  find_largest(&probe, &rep);
  std::string best = *encode_xml(truncated(large, 1));
  int lo = 2, hi = rep.size;  // binary search on the number of entries kept
  while (lo <= hi) {
    const int mid = lo + (hi - lo) / 2;
    std::string xml = *encode_xml(truncated(large, mid));
    if (xml.size() <= target) {
      best = std::move(xml);
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class NullHandler final : public xml::Handler {
 public:
  Status start_element(const xml::Element&) override { return {}; }
  Status characters(std::string_view, bool) override { return {}; }
  Status end_element(const xml::Name&) override { return {}; }
};

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
  XmlDecoder decoder(schemas());
  const std::pair<const char*, std::size_t> kSizes[] = {
      {"2k", 2 * 1024}, {"10k", 10 * 1024}, {"100k", 100 * 1024}};
  for (const auto& kind : document_kinds()) {
    std::string type;
    for (char c : kind.root) {
      if (c >= 'A' && c <= 'Z' && !type.empty()) type += '_';
      type += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const fs::path large = source_dir() / "tests/fixtures/xml" / type / "valid/large.xml";
    v1::Envelope model;
    Status status = decoder.decode(read(large), &model);
    if (!status.ok()) {
      std::cerr << "skipping " << type << ": " << large << ": " << status.to_string() << "\n";
      continue;
    }
    for (const auto& [label, size] : kSizes) {
      std::string document = document_of_size(model, size);
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
    std::vector<std::string> documents;
    for (const auto& entry : fs::directory_iterator(fs::path(dir) / "rsa" / size)) {
      if (entry.path().extension() == ".xml") documents.push_back(read(entry.path()));
    }
    if (documents.empty()) continue;
    benchmark::RegisterBenchmark(
        (std::string("scan_only/peer_corpus/") + size).c_str(),
        [schemas, documents](benchmark::State& state) {
          auto scanner = xml::Scanner::create(schemas);
          NullHandler handler;
          std::size_t bytes = 0, i = 0;
          for (auto _ : state) {
            const std::string& document = documents[i++ % documents.size()];
            Status status = scanner->scan(document, handler);
            if (!status.ok()) {
              state.SkipWithError(status.to_string().c_str());
              break;
            }
            bytes += document.size();
          }
          state.SetBytesProcessed(static_cast<int64_t>(bytes));
          state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
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
