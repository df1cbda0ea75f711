// Benchmark corpus helpers (sized_documents.h).

#include "bench/sized_documents.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <google/protobuf/descriptor.h>

namespace swg::bench {
namespace {

namespace fs = std::filesystem;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

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

}  // namespace

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

// `large` cut down to the largest document not bigger than `target` bytes (at least one entry).
std::string document_of_size(const v1::Envelope& large, std::size_t target) {
  Repetition rep;
  v1::Envelope probe = large;
  find_largest(&probe, &rep);
  std::string best = *documents::encode_xml(truncated(large, 1));
  int lo = 2, hi = rep.size;  // binary search on the number of entries kept
  while (lo <= hi) {
    const int mid = lo + (hi - lo) / 2;
    std::string xml = *documents::encode_xml(truncated(large, mid));
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

std::vector<std::string> read_xml_files(const fs::path& folder) {
  std::vector<std::string> out;
  if (!fs::is_directory(folder)) return out;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".xml") out.push_back(read(entry.path()));
  }
  return out;
}

std::string type_folder(const documents::DocumentKind& kind) {
  std::string type;
  for (char c : kind.root) {
    if (c >= 'A' && c <= 'Z' && !type.empty()) type += '_';
    type += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return type;
}

StatusOr<v1::Envelope> large_model(const documents::DocumentKind& kind) {
  documents::XmlDecoder decoder(schemas());
  v1::Envelope model;
  const fs::path large =
      source_dir() / "tests/fixtures/xml" / type_folder(kind) / "valid/large.xml";
  SWG_RETURN_IF_ERROR(decoder.decode(read(large), &model));
  return model;
}

}  // namespace swg::bench
