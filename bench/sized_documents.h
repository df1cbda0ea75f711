#pragma once
// Benchmark corpus helpers shared by the benchmark programs: the project's schemas, and documents
// of a given size per type, cut from each type's large fixture (as many entries of its largest
// repeated field as fit) and written with encode_xml, indented as partners send them.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "adapters/documents/decoder.h"
#include "adapters/documents/registry.h"

namespace swg::bench {

std::filesystem::path source_dir();
/// The project's schemas (xsd/), loaded once; exits on failure.
std::shared_ptr<const xml::SchemaSet> schemas();
std::string read(const std::filesystem::path& path);
/// The fixture folder name of a kind, e.g. "customs_declaration".
std::string type_folder(const documents::DocumentKind& kind);
/// The model of the kind's large fixture (tests/fixtures/xml/<type>/valid/large.xml).
StatusOr<v1::Envelope> large_model(const documents::DocumentKind& kind);
/// `large` cut down to the largest document not bigger than `target` bytes (at least one entry).
std::string document_of_size(const v1::Envelope& large, std::size_t target);

/// Reads every *.xml of `folder` (for corpora made elsewhere, e.g. the peers').
std::vector<std::string> read_xml_files(const std::filesystem::path& folder);

/// A handler that does nothing: the scan alone.
class NullHandler final : public xml::Handler {
 public:
  Status start_element(const xml::Element&) override { return {}; }
  Status characters(const xml::Text&) override { return {}; }
  Status end_element(const xml::Name&) override { return {}; }
};

/// Runs `one(document)` over `documents` in turn for the benchmark's iterations and reports
/// bytes and items per second; stops with the first error.
template <typename State, typename One>
void run_each(State& state, const std::vector<std::string>& documents, One&& one) {
  std::size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const std::string& document = documents[i++ % documents.size()];
    if (Status status = one(document); !status.ok()) {
      state.SkipWithError(status.to_string().c_str());
      break;
    }
    bytes += document.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

/// The size classes every benchmark reports.
struct SizeClass {
  const char* label;
  std::size_t bytes;
};
inline constexpr SizeClass kSizes[] = {{"2k", 2 * 1024}, {"10k", 10 * 1024}, {"100k", 100 * 1024}};

}  // namespace swg::bench
