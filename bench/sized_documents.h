#pragma once
// Benchmark corpus helpers shared by the benchmark programs: the project's schemas, and documents
// of a given size per type, cut from each type's large fixture (as many entries of its largest
// repeated field as fit) and written with encode_xml, indented as partners send them.

#include <cstddef>
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

/// The size classes every benchmark reports.
struct SizeClass {
  const char* label;
  std::size_t bytes;
};
inline constexpr SizeClass kSizes[] = {{"2k", 2 * 1024}, {"10k", 10 * 1024}, {"100k", 100 * 1024}};

}  // namespace swg::bench
