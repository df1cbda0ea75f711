// Single-thread throughput of verified ingest, the gateway's hot path for XML: parse + validate
// + canonicalise + verify (digest, certificate chain from the cache, signature value, partner
// binding) + map, on documents of 2, 10 and 100 KB signed with the sample PKI (RSA-2048 and
// ECDSA P-256), next to the unverified decode of the same bytes so that the signature's share is
// measured in the same run. Run from the repository root:
//   build/bench/ingest_bench --benchmark_filter=customs_declaration/10k
// Reports items_per_second (messages/s) and bytes_per_second.
//
// With SWG_BENCH_PEER_CORPUS=DIR (as bench/compare_peers.sh prepares it: the peers' corpus, its
// schema, its CA with a CRL), also `verify/peer_corpus/<size>`: our parse + validate +
// canonicalise + verify on the peers' very documents, the like-for-like comparison with their
// full pipelines.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "bench/sized_documents.h"
#include "gateway/config/config.h"
#include "gateway/ingest/ingest.h"
#include "gateway/trust/certificate.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"

namespace swg::bench {
namespace {

namespace fs = std::filesystem;

// 2026-12-01, inside the sample PKI's validity.
constexpr std::int64_t kNow = 1796083200;

[[noreturn]] void die(const std::string& what, const Status& status) {
  std::cerr << what << ": " << status.to_string() << "\n";
  std::exit(2);
}

const trust::TrustContext& sample_trust() {
  static const trust::TrustContext context = [] {
    auto material = config::read_trust_material((source_dir() / "certs-sample").string());
    if (!material.ok()) die("trust material", material.status());
    auto store = trust::TrustStore::create(*material);
    if (!store.ok()) die("trust store", store.status());
    auto partners = config::read_partners((source_dir() / "config/partners.toml").string());
    if (!partners.ok()) die("partners", partners.status());
    auto registry = trust::PartnerRegistry::create(std::move(*partners));
    if (!registry.ok()) die("partners", registry.status());
    return trust::TrustContext{*store, *registry};
  }();
  return context;
}

std::unique_ptr<trust::Signer> signer_for(const std::string& identity, const std::string& kind) {
  for (const char* folder : {"partners", "agencies"}) {
    const fs::path base = source_dir() / "certs-sample" / folder / (identity + "-" + kind);
    if (!fs::exists(base.string() + ".key.pem")) continue;
    auto signer =
        trust::Signer::from_pem(read(base.string() + ".key.pem"), read(base.string() + ".crt.pem"));
    if (!signer.ok()) die("signer " + identity, signer.status());
    return std::move(*signer);
  }
  die("no sample key for " + identity, Status());
}

void report(benchmark::State& state, std::size_t bytes_per_item) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes_per_item));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["doc_bytes"] = static_cast<double>(bytes_per_item);
}

void ingest(benchmark::State& state, std::string document, xml::Engine engine) {
  ingest::XmlIngest pass(schemas(), {}, engine);
  v1::Envelope model;
  for (auto _ : state) {
    Status status = pass.ingest(document, sample_trust(), kNow, &model);
    if (!status.ok()) {
      state.SkipWithError(status.to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(model);
  }
  report(state, document.size());
}

void decode_unverified(benchmark::State& state, std::string document) {
  ingest::XmlIngest pass(schemas());
  v1::Envelope model;
  for (auto _ : state) {
    Status status = pass.decode_unverified(document, &model);
    if (!status.ok()) {
      state.SkipWithError(status.to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(model);
  }
  report(state, document.size());
}

// The stages, to know where the time goes: the scan alone; the scan feeding the canonicaliser and
// signature collector; that plus the decision (digest, certificate, signature value, binding).
// ingest = the latter plus the mapper on the same events. `engine` picks the scanner: the default
// (the native pass, Xerces for what it declines) or Xerces alone, to compare them in one run.
void stage(benchmark::State& state, std::string document, int upto, xml::Engine engine) {
  auto scanner = xml::Scanner::create(schemas(), {}, engine);
  NullHandler null;
  trust::XmlSignatureVerifier verifier;
  v1::VerificationEvidence evidence;
  const auto rescan = [&](xml::Handler& h) { return scanner->scan(document, h); };
  for (auto _ : state) {
    Status status = scanner->scan(document, upto == 0 ? static_cast<xml::Handler&>(null)
                                                      : static_cast<xml::Handler&>(verifier));
    if (status.ok() && upto == 2) {
      status = verifier.finish("VN.MOF.CUSTOMS", sample_trust(), kNow, rescan, &evidence);
    }
    if (!status.ok()) {
      state.SkipWithError(status.to_string().c_str());
      break;
    }
  }
  report(state, document.size());
}

void register_benchmarks() {
  auto scanner = xml::Scanner::create(schemas());
  for (const auto& kind : documents::document_kinds()) {
    const std::string type = type_folder(kind);
    auto model = large_model(kind);
    if (!model.ok()) die(type, model.status());
    const bool all_sizes = type == "customs_declaration";
    for (const auto& [label, size] : kSizes) {
      if (!all_sizes && std::string(label) != "10k") continue;
      const std::string unsigned_doc = document_of_size(*model, size);
      for (const char* alg : {"rsa", "ec"}) {
        if (!all_sizes && std::string(alg) != "rsa") continue;
        auto signer = signer_for(model->sender().identity(), alg);
        auto signed_doc = trust::sign_enveloped(unsigned_doc, *scanner, *signer);
        if (!signed_doc.ok()) die("signing " + type, signed_doc.status());
        const std::string name = type + "/" + label + "/" + alg;
        benchmark::RegisterBenchmark(("ingest/" + name).c_str(), ingest, *signed_doc,
                                     xml::Engine::kAuto);
        if (std::string(alg) == "rsa") {
          benchmark::RegisterBenchmark(("ingest_xerces/" + name).c_str(), ingest, *signed_doc,
                                       xml::Engine::kXerces);
        }
        benchmark::RegisterBenchmark(("decode_unverified/" + name).c_str(), decode_unverified,
                                     *signed_doc);
        if (all_sizes && std::string(alg) == "rsa") {
          const char* stages[] = {"stage_scan/", "stage_scan_c14n/", "stage_scan_c14n_verify/"};
          for (int i = 0; i < 3; ++i) {
            benchmark::RegisterBenchmark((stages[i] + name).c_str(), stage, *signed_doc, i,
                                         xml::Engine::kAuto);
            benchmark::RegisterBenchmark(
                (std::string(stages[i]).insert(strlen(stages[i]) - 1, "_xerces") + name).c_str(),
                stage, *signed_doc, i, xml::Engine::kXerces);
          }
        }
      }
    }
  }
}

// The verifier alone (no mapper: the peers' schema is not ours) on the peers' signed corpus.
void register_peer_corpus() {
  const char* dir_env = std::getenv("SWG_BENCH_PEER_CORPUS");
  if (dir_env == nullptr || *dir_env == '\0') return;
  const fs::path dir = dir_env;
  auto set = xml::SchemaSet::load((dir / "schema").string());
  if (!set.ok()) die("peer corpus schema", set.status());
  trust::TrustMaterial material;
  material.ca_pems.push_back(read(dir / "pki/ca-rsa.pem"));
  material.ca_pems.push_back(read(dir / "pki/ca-ec.pem"));
  material.crl_pems.push_back(read(dir / "pki/ca-rsa.crl.pem"));
  material.crl_pems.push_back(read(dir / "pki/ca-ec.crl.pem"));
  auto store = trust::TrustStore::create(material);
  if (!store.ok()) die("peer trust store", store.status());
  trust::Partner peer;
  peer.identity = "PEER";
  for (const char* cert : {"pki/signer-rsa.pem", "pki/signer-ec.pem"}) {
    auto certs = trust::Certificate::from_pem(read(dir / cert));
    if (!certs.ok()) die(cert, certs.status());
    trust::AllowedCertificate allowed;
    allowed.fingerprint = certs->front()->fingerprint();
    peer.certificates.push_back(allowed);
  }
  auto registry = trust::PartnerRegistry::create({peer});
  if (!registry.ok()) die("peer registry", registry.status());
  const trust::TrustContext context{*store, *registry};
  std::shared_ptr<const xml::SchemaSet> schemas = *set;
  for (const char* alg : {"rsa", "ecdsa"}) {
    for (const auto& size : kSizes) {
      const std::vector<std::string> documents = read_xml_files(dir / alg / size.label);
      if (documents.empty()) continue;
      benchmark::RegisterBenchmark(
          (std::string("verify/peer_corpus/") + alg + "/" + size.label).c_str(),
          [schemas, documents, context](benchmark::State& state) {
            auto scanner = xml::Scanner::create(schemas);
            trust::XmlSignatureVerifier verifier;
            v1::VerificationEvidence evidence;
            run_each(state, documents, [&](const std::string& document) {
              SWG_RETURN_IF_ERROR(scanner->scan(document, verifier));
              return verifier.finish(
                  "PEER", context, kNow,
                  [&](xml::Handler& h) { return scanner->scan(document, h); }, &evidence);
            });
          });
    }
  }
}

}  // namespace
}  // namespace swg::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  swg::bench::register_benchmarks();
  swg::bench::register_peer_corpus();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
