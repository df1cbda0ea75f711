// The verified single pass: XML signatures made by xmlsec1 and by us, verified by us and by
// xmlsec1; the negative corpus (tampering, profile violations, signature wrapping, bad
// certificates, the wrong signer), each with its own code.

#include "gateway/ingest/ingest.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gateway/config/config.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"
#include "tests/support/fixtures.h"

namespace swg::ingest {
namespace {

namespace fs = std::filesystem;
using swg::testing::read_file;
using swg::testing::source_dir;
using swg::testing::write_file;

// 2026-12-01: inside the sample PKI's validity, after the expired certificate's end.
constexpr std::int64_t kNow = 1796083200;

std::shared_ptr<const xml::SchemaSet> schemas_from(const fs::path& dir) {
  auto set = xml::SchemaSet::load(dir.string());
  INFO(set.status().to_string());
  REQUIRE(set.ok());
  return *set;
}

const std::shared_ptr<const xml::SchemaSet>& project_schemas() {
  static const auto set = schemas_from(source_dir() / "xsd");
  return set;
}

const trust::TrustContext& sample_trust() {
  static const trust::TrustContext context = [] {
    auto material = config::read_trust_material((source_dir() / "certs-sample").string());
    INFO(material.status().to_string());
    REQUIRE(material.ok());
    auto store = trust::TrustStore::create(*material);
    INFO(store.status().to_string());
    REQUIRE(store.ok());
    auto partners = config::read_partners((source_dir() / "config/partners.toml").string());
    INFO(partners.status().to_string());
    REQUIRE(partners.ok());
    auto registry = trust::PartnerRegistry::create(std::move(*partners));
    REQUIRE(registry.ok());
    return trust::TrustContext{*store, *registry};
  }();
  return context;
}

fs::path scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("swg-ingest-test-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

int shell(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string replace_first(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  INFO("looking for " << from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
  return s;
}

// The key and certificate files of a sample identity ("partners/X" or "agencies/X").
struct KeyFiles {
  std::string key, cert;
};
KeyFiles keys_of(const std::string& identity, const std::string& kind = "rsa",
                 const std::string& folder = "") {
  const fs::path pki = source_dir() / "certs-sample";
  for (const std::string& dir :
       {folder, std::string("partners"), std::string("agencies"), std::string("gateway")}) {
    if (dir.empty()) continue;
    const fs::path cert = pki / dir / (identity + "-" + kind + ".crt.pem");
    if (fs::exists(cert)) {
      return {(pki / dir / (identity + "-" + kind + ".key.pem")).string(), cert.string()};
    }
  }
  FAIL("no sample key for " << identity);
  return {};
}

std::string sender_of(const std::string& doc) {
  const std::string open = "<env:Identity>";
  const std::size_t at = doc.find(open);
  REQUIRE(at != std::string::npos);
  return doc.substr(at + open.size(), doc.find('<', at + open.size()) - at - open.size());
}

// A signature template for xmlsec1, inserted as the last child of the document element.
std::string with_template(const std::string& doc, const std::string& signature_uri,
                          const std::string& digest_uri = "http://www.w3.org/2001/04/xmlenc#sha256",
                          const std::string& reference_uri = "") {
  const std::string tpl =
      "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n"
      "  <ds:SignedInfo>\n"
      "    <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\n"
      "    <ds:SignatureMethod Algorithm=\"" +
      signature_uri +
      "\"/>\n"
      "    <ds:Reference URI=\"" +
      reference_uri +
      "\">\n"
      "      <ds:Transforms>\n"
      "        <ds:Transform "
      "Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\n"
      "        <ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\n"
      "      </ds:Transforms>\n"
      "      <ds:DigestMethod Algorithm=\"" +
      digest_uri +
      "\"/>\n"
      "      <ds:DigestValue/>\n"
      "    </ds:Reference>\n"
      "  </ds:SignedInfo>\n"
      "  <ds:SignatureValue/>\n"
      "  <ds:KeyInfo><ds:X509Data/></ds:KeyInfo>\n"
      "</ds:Signature>\n";
  const std::size_t at = doc.rfind("</env:Envelope>");
  REQUIRE(at != std::string::npos);
  return doc.substr(0, at) + tpl + doc.substr(at);
}

constexpr const char* kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
constexpr const char* kEcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

// Signs with the xmlsec1 command-line tool.
std::string xmlsec1_sign(const std::string& doc, const KeyFiles& keys, const std::string& alg,
                         const std::string& extra = "") {
  static int n = 0;
  const fs::path in = scratch() / ("tpl-" + std::to_string(++n) + ".xml");
  const fs::path out = scratch() / ("xmlsec-" + std::to_string(n) + ".xml");
  write_file(in, with_template(doc, alg));
  const std::string command = "xmlsec1 --sign " + extra + " --privkey-pem " + keys.key + "," +
                              keys.cert + " --output " + out.string() + " " + in.string();
  INFO(command);
  REQUIRE(shell(command) == 0);
  return read_file(out);
}

// Verifies with the xmlsec1 command-line tool against the sample anchors.
int xmlsec1_verify(const std::string& doc, const std::string& extra = "") {
  static int n = 0;
  const fs::path file = scratch() / ("verify-" + std::to_string(++n) + ".xml");
  write_file(file, doc);
  const fs::path pki = source_dir() / "certs-sample/trust";
  return shell("xmlsec1 --verify --enabled-reference-uris empty,same-doc " + extra +
               " --trusted-pem " + (pki / "root-rsa.crt.pem").string() + " --trusted-pem " +
               (pki / "root-ec.crt.pem").string() + " --untrusted-pem " +
               (pki / "intermediate-rsa.crt.pem").string() + " --untrusted-pem " +
               (pki / "intermediate-ec.crt.pem").string() + " " + file.string());
}

std::string our_sign(const std::string& doc, const KeyFiles& keys,
                     trust::XmlSignOptions options = {}) {
  auto signer = trust::Signer::from_pem(read_file(keys.key), read_file(keys.cert));
  INFO(signer.status().to_string());
  REQUIRE(signer.ok());
  auto scanner = xml::Scanner::create(project_schemas());
  auto signed_doc = trust::sign_enveloped(doc, *scanner, **signer, options);
  INFO(signed_doc.status().to_string());
  REQUIRE(signed_doc.ok());
  return *signed_doc;
}

Status ingest(const std::string& doc, v1::Envelope* out = nullptr,
              const std::shared_ptr<const xml::SchemaSet>& schemas = project_schemas()) {
  XmlIngest pass(schemas);
  v1::Envelope model;
  return pass.ingest(doc, sample_trust(), kNow, out ? out : &model);
}

// One valid sample of each of the six document types.
std::vector<fs::path> samples() {
  std::vector<fs::path> out;
  for (const char* type : {"permit", "certificate_of_origin", "phytosanitary_certificate",
                           "customs_declaration", "acdd", "agency_response"}) {
    auto files = swg::testing::files_with_suffix(
        source_dir() / "tests/fixtures/xml" / type / "valid", ".xml");
    REQUIRE_FALSE(files.empty());
    out.push_back(files.front());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

TEST_CASE("documents signed by xmlsec1 (RSA-SHA256, ECDSA-SHA256) are accepted with evidence") {
  for (const auto& file : samples()) {
    const std::string doc = read_file(file);
    const std::string sender = sender_of(doc);
    for (const auto& [kind, alg] : {std::pair{"rsa", kRsaSha256}, std::pair{"ec", kEcdsaSha256}}) {
      const std::string signed_doc = xmlsec1_sign(doc, keys_of(sender, kind), alg);
      v1::Envelope model;
      Status s = ingest(signed_doc, &model);
      INFO(file.string() << " " << kind << ": " << s.to_string());
      REQUIRE(s.ok());
      const auto& e = model.verification();
      CHECK(e.method() == v1::SIGNATURE_METHOD_XMLDSIG_ENVELOPED);
      CHECK(e.signer_identity() == sender);
      CHECK(e.signer_subject().find("CN=" + sender) == 0);
      CHECK(e.signature_algorithm() ==
            (std::string(kind) == "rsa" ? "rsa-sha256" : "ecdsa-sha256"));
      CHECK(e.digest_algorithm() == "sha256");
      CHECK(e.signed_digest().size() == 32);
      CHECK(e.received_sha256().size() == 32);
      CHECK(e.signer_fingerprint().size() == 64);
      CHECK(e.trust_store_version().rfind("sha256:", 0) == 0);
      CHECK(e.verified_at().seconds() == kNow);
      // The model is the document's: the same as an unverified decode of the unsigned original.
      XmlIngest plain(project_schemas());
      v1::Envelope unsigned_model;
      REQUIRE(plain.decode_unverified(doc, &unsigned_model).ok());
      model.clear_verification();
      CHECK(model.SerializeAsString() == unsigned_model.SerializeAsString());
    }
  }
}

TEST_CASE("documents signed by swg are verified by xmlsec1 and by us") {
  for (const auto& file : samples()) {
    const std::string doc = read_file(file);
    const std::string sender = sender_of(doc);
    for (const char* kind : {"rsa", "ec"}) {
      const std::string signed_doc = our_sign(doc, keys_of(sender, kind));
      INFO(file.string() << " " << kind);
      CHECK(xmlsec1_verify(signed_doc) == 0);
      Status s = ingest(signed_doc);
      INFO(s.to_string());
      CHECK(s.ok());
    }
  }
  SECTION("a reference to the document element's ID") {
    std::string doc = read_file(samples().front());
    doc = replace_first(doc, "<env:Envelope ", "<env:Envelope Id=\"msg-1\" ");
    trust::XmlSignOptions options;
    options.reference_root_id = true;
    const std::string signed_doc = our_sign(doc, keys_of(sender_of(doc)), options);
    CHECK(signed_doc.find("URI=\"#msg-1\"") != std::string::npos);
    CHECK(xmlsec1_verify(signed_doc, "--id-attr:Id Envelope") == 0);
    CHECK(ingest(signed_doc).ok());
  }
  SECTION("xmlsec1 tells a tampered document from a good one (the oracle is not blind)") {
    const std::string doc = read_file(samples().front());
    const std::string signed_doc = our_sign(doc, keys_of(sender_of(doc)));
    CHECK(xmlsec1_verify(replace_first(signed_doc, "Ho Chi Minh City<", "Ha Noi<")) != 0);
  }
}

// ---------------------------------------------------------------------------------------------
// The negative corpus

struct Negative {
  std::string name;
  std::string document;
  std::string code;
};

std::vector<Negative> negative_corpus() {
  const std::string doc =
      read_file(source_dir() / "tests/fixtures/xml/permit/valid/application.xml");
  const std::string sender = sender_of(doc);  // VN.MOIT.COO
  const std::string good = our_sign(doc, keys_of(sender));
  const std::string good_ec = xmlsec1_sign(doc, keys_of(sender, "ec"), kEcdsaSha256);
  const auto as_sender = [&](const std::string& identity) {
    return replace_first(doc, "<env:Identity>" + sender + "<", "<env:Identity>" + identity + "<");
  };
  std::vector<Negative> out;
  out.push_back({"unsigned", doc, "SIG_MISSING"});
  out.push_back({"changed text node",
                 replace_first(good, "<pm:City>Ho Chi Minh City<", "<pm:City>Ha Noi<"),
                 "SIG_DIGEST_MISMATCH"});
  out.push_back({"changed attribute", replace_first(good, "unit=\"KGM\"", "unit=\"TNE\""),
                 "SIG_DIGEST_MISMATCH"});
  out.push_back({"changed text node, ECDSA",
                 replace_first(good_ec, "<pm:City>Ho Chi Minh City<", "<pm:City>Ha Noi<"),
                 "SIG_DIGEST_MISMATCH"});
  out.push_back({"changed SignedInfo (an Id added to the Reference)",
                 replace_first(good, "<ds:Reference URI=\"\">", "<ds:Reference Id=\"r\" URI=\"\">"),
                 "SIG_INVALID"});
  {
    // Signature value bytes re-ordered: the last base64 quantum moved to the front.
    const std::size_t open = good.find("<ds:SignatureValue>") + 19;
    const std::size_t close = good.find("</ds:SignatureValue>");
    std::string value = good.substr(open, close - open);
    value = value.substr(value.size() - 8, 4) + value.substr(0, value.size() - 8) +
            value.substr(value.size() - 4);
    out.push_back({"re-ordered signature value", good.substr(0, open) + value + good.substr(close),
                   "SIG_INVALID"});
  }
  {
    // The signature's children re-ordered: KeyInfo before SignatureValue.
    const std::size_t sv = good.find("<ds:SignatureValue>");
    const std::size_t ki = good.find("<ds:KeyInfo>");
    const std::size_t end = good.find("</ds:Signature>");
    const std::string reordered = good.substr(0, sv) + good.substr(ki, end - ki) +
                                  good.substr(sv, ki - sv) + good.substr(end);
    out.push_back({"re-ordered signature elements", reordered, "SIG_MALFORMED"});
  }
  {
    // Two signatures: a second, valid one beside the first.
    const std::size_t s0 = good.find("<ds:Signature");
    const std::size_t s1 = good.find("</ds:Signature>") + 15;
    out.push_back({"two signatures",
                   good.substr(0, s1) + good.substr(s0, s1 - s0) + good.substr(s1),
                   "SIG_MULTIPLE"});
  }
  out.push_back({"SHA-1 digest and RSA-SHA1",
                 xmlsec1_sign(doc, keys_of(sender), "http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
                 "SIG_ALG_FORBIDDEN"});
  {
    const std::string sha1 = replace_first(xmlsec1_sign(doc, keys_of(sender), kRsaSha256),
                                           "http://www.w3.org/2001/04/xmlenc#sha256",
                                           "http://www.w3.org/2000/09/xmldsig#sha1");
    out.push_back({"SHA-1 digest method", sha1, "SIG_ALG_FORBIDDEN"});
  }
  out.push_back({"untrusted root (rogue CA)",
                 our_sign(as_sender("TH.ASW.GATEWAY"), keys_of("TH.ASW.GATEWAY", "rsa", "rogue")),
                 "CERT_UNTRUSTED"});
  out.push_back(
      {"expired certificate",
       our_sign(doc,
                {(source_dir() / "certs-sample/invalid/VN.MOIT.COO-expired-rsa.key.pem").string(),
                 (source_dir() / "certs-sample/invalid/VN.MOIT.COO-expired-rsa.crt.pem").string()}),
       "CERT_EXPIRED"});
  out.push_back(
      {"revoked certificate",
       our_sign(
           as_sender("VN.MOF.CUSTOMS"),
           {(source_dir() / "certs-sample/invalid/VN.MOF.CUSTOMS-revoked-rsa.key.pem").string(),
            (source_dir() / "certs-sample/invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem").string()}),
       "CERT_REVOKED"});
  out.push_back({"certificate of another partner", our_sign(doc, keys_of("SG.ASW.GATEWAY")),
                 "SIGNER_NOT_SENDER"});
  out.push_back(
      {"1024-bit RSA key",
       xmlsec1_sign(
           as_sender("SG.ASW.GATEWAY"),
           {(source_dir() / "certs-sample/invalid/SG.ASW.GATEWAY-rsa1024.key.pem").string(),
            (source_dir() / "certs-sample/invalid/SG.ASW.GATEWAY-rsa1024.crt.pem").string()},
           kRsaSha256),
       "CERT_WEAK_KEY"});
  out.push_back({"unknown sender", our_sign(as_sender("KH.ASW.GATEWAY"), keys_of("SG.ASW.GATEWAY")),
                 "PARTNER_UNKNOWN"});
  // A reference to an element that is not the document element.
  {
    const std::string signed_doc =
        replace_first(good, "<ds:Reference URI=\"\">", "<ds:Reference URI=\"#body\">");
    out.push_back({"reference to a non-root ID", signed_doc, "SIG_REFERENCE"});
  }
  out.push_back({"HMAC signature method",
                 replace_first(good, kRsaSha256, "http://www.w3.org/2000/09/xmldsig#hmac-sha1"),
                 "SIG_ALG_FORBIDDEN"});
  out.push_back(
      {"XPath transform",
       replace_first(
           good,
           "<ds:Transform "
           "Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>",
           "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">"
           "<ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>"),
       "SIG_TRANSFORM"});
  out.push_back(
      {"KeyInfo retrieval by URI",
       replace_first(good, "<ds:KeyInfo>",
                     "<ds:KeyInfo><ds:RetrievalMethod URI=\"http://evil.example/cert\"/>"),
       "SIG_KEYINFO"});
  out.push_back(
      {"inclusive canonicalisation of SignedInfo",
       replace_first(
           good,
           "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">",
           "<ds:CanonicalizationMethod "
           "Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\">"),
       "SIG_TRANSFORM"});
  return out;
}

// The envelope schema does not validate inside ds:Signature (processContents="skip"): the verifier
// checks its structure alone. Each shape here is refused by the verifier, through the real schema.
TEST_CASE("the signature's structure is checked by the verifier, element by element") {
  const std::string doc =
      read_file(source_dir() / "tests/fixtures/xml/permit/valid/application.xml");
  const std::string good = our_sign(doc, keys_of(sender_of(doc)));
  REQUIRE(ingest(good).ok());
  const auto between = [&](const std::string& open, const std::string& close) {
    const std::size_t a = good.find(open);
    return good.substr(a, good.find(close, a) + close.size() - a);
  };
  const std::string signature_value = between("<ds:SignatureValue>", "</ds:SignatureValue>");
  const std::string signed_info = between("<ds:SignedInfo>", "</ds:SignedInfo>");
  const std::string key_info = between("<ds:KeyInfo>", "</ds:KeyInfo>");
  const std::string digest_method = between("<ds:DigestMethod", "</ds:DigestMethod>");
  const std::string certificate = between("<ds:X509Certificate>", "</ds:X509Certificate>");
  const std::string kC14n =
      "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">";
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> shapes = {
      {"SignatureValue twice",
       {replace_first(good, signature_value, signature_value + signature_value), "SIG_MALFORMED"}},
      {"no SignatureValue", {replace_first(good, signature_value, ""), "SIG_MALFORMED"}},
      {"SignedInfo twice",
       {replace_first(good, signed_info, signed_info + signed_info), "SIG_MALFORMED"}},
      {"KeyInfo twice", {replace_first(good, key_info, key_info + key_info), "SIG_MALFORMED"}},
      {"no DigestMethod", {replace_first(good, digest_method, ""), "SIG_MALFORMED"}},
      {"DigestMethod after DigestValue",
       {replace_first(replace_first(good, digest_method, ""), "</ds:DigestValue>",
                      "</ds:DigestValue>" + digest_method),
        "SIG_MALFORMED"}},
      {"an empty KeyInfo",
       {replace_first(good, key_info, "<ds:KeyInfo></ds:KeyInfo>"), "SIG_MALFORMED"}},
      {"an empty X509Data", {replace_first(good, certificate, ""), "SIG_MALFORMED"}},
      {"text among SignedInfo's children",
       {replace_first(good, "<ds:SignedInfo>", "<ds:SignedInfo>forged"), "SIG_MALFORMED"}},
      {"text in the signature element",
       {replace_first(good, "</ds:Signature>", "x</ds:Signature>"), "SIG_MALFORMED"}},
      {"an attribute the schema does not declare",
       {replace_first(good, "<ds:Reference URI=\"\">", "<ds:Reference URI=\"\" Target=\"x\">"),
        "SIG_MALFORMED"}},
      {"a qualified attribute",
       {replace_first(good, "<ds:SignatureValue>", "<ds:SignatureValue xml:lang=\"en\">"),
        "SIG_MALFORMED"}},
      {"a CanonicalizationMethod without Algorithm",
       {replace_first(good, kC14n, "<ds:CanonicalizationMethod>"), "SIG_MALFORMED"}},
      {"a child element of DigestMethod",
       {replace_first(good, "</ds:DigestMethod>", "<ds:Other/></ds:DigestMethod>"), "SIG_PROFILE"}},
      {"a child element of DigestValue",
       {replace_first(good, "</ds:DigestValue>", "<ds:Other/></ds:DigestValue>"), "SIG_PROFILE"}},
      {"a parameter of the canonicalisation method other than InclusiveNamespaces",
       {replace_first(good, kC14n, kC14n + "<ds:XPath>1</ds:XPath>"), "SIG_TRANSFORM"}},
      {"a SignedInfo element in another namespace",
       {replace_first(good, "<ds:SignedInfo>",
                      "<ds:SignedInfo><x:SignatureMethod xmlns:x=\"urn:x\"/>"),
        "SIG_PROFILE"}},
      {"a foreign element in KeyInfo",
       {replace_first(good, "<ds:KeyInfo>", "<ds:KeyInfo><x:Key xmlns:x=\"urn:x\">k</x:Key>"),
        "SIG_KEYINFO"}},
      {"a foreign element in X509Data",
       {replace_first(good, "<ds:X509Data>", "<ds:X509Data><ds:X509Digest>AA==</ds:X509Digest>"),
        "SIG_KEYINFO"}},
      {"a SignatureValue that is not base64",
       {replace_first(good, "<ds:SignatureValue>", "<ds:SignatureValue>!"), "SIG_MALFORMED"}},
      {"a DigestValue that is not base64",
       {replace_first(good, "<ds:DigestValue>", "<ds:DigestValue>*"), "SIG_MALFORMED"}},
      {"a certificate that is not base64",
       {replace_first(good, "<ds:X509Certificate>", "<ds:X509Certificate>%"), "CERT_MALFORMED"}},
      {"another XMLDSig element where the signature belongs",
       {replace_first(replace_first(good, "<ds:Signature ", "<ds:Manifest "), "</ds:Signature>",
                      "</ds:Manifest>"),
        "SIG_MISSING"}},
  };
  for (const auto& [name, shape] : shapes) {
    REQUIRE(shape.first != good);  // the replacement applied
    Status s = ingest(shape.first);
    INFO(name << ": " << s.to_string());
    CHECK(s.reason() == shape.second);
  }
  // What the profile admits beside the certificate: a KeyName, a KeyValue (not used), an
  // X509IssuerSerial and a subject name.
  const std::string extras = replace_first(
      good, "<ds:KeyInfo><ds:X509Data>",
      "<ds:KeyInfo><ds:KeyName>coo</ds:KeyName><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB"
      "</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue><ds:X509Data>"
      "<ds:X509IssuerSerial><ds:X509IssuerName>CN=x</ds:X509IssuerName><ds:X509SerialNumber>1"
      "</ds:X509SerialNumber></ds:X509IssuerSerial><ds:X509SubjectName>CN=y</ds:X509SubjectName>");
  REQUIRE(extras != good);
  Status s = ingest(extras);
  INFO(s.to_string());
  CHECK(s.ok());
}

TEST_CASE("the negative corpus: each document is rejected with its own code") {
  for (const auto& n : negative_corpus()) {
    Status s = ingest(n.document);
    INFO(n.name << ": " << s.to_string());
    CHECK(s.reason() == n.code);
  }
}

// Signature-wrapping shapes. The envelope schema already refuses most of them; the verifier
// refuses each on its own as well, which the permissive test grammar (tests/xml/c14n-data: c:Doc
// admits anything) shows.
TEST_CASE("signature wrapping: forged content beside a valid signature is refused") {
  const auto permissive = schemas_from(source_dir() / "tests/xml/c14n-data");
  // An original document the attacker holds, validly signed by VN.MOIT.COO.
  const std::string original =
      "<c:Doc xmlns:c=\"urn:swg:test:c14n:1\" Id=\"orig\"><Header><From><Identity>VN.MOIT.COO"
      "</Identity></From></Header><Amount>10</Amount></c:Doc>";
  auto signer = trust::Signer::from_pem(read_file(keys_of("VN.MOIT.COO").key),
                                        read_file(keys_of("VN.MOIT.COO").cert));
  REQUIRE(signer.ok());
  auto scanner = xml::Scanner::create(permissive);
  trust::XmlSignOptions by_id;
  by_id.reference_root_id = true;
  auto signed_whole = trust::sign_enveloped(original, *scanner, **signer);
  auto signed_by_id = trust::sign_enveloped(original, *scanner, **signer, by_id);
  REQUIRE(signed_whole.ok());
  REQUIRE(signed_by_id.ok());
  const auto signature_of = [](const std::string& doc) {
    const std::size_t a = doc.find("<ds:Signature");
    return doc.substr(a, doc.find("</ds:Signature>") + 15 - a);
  };
  const std::string sig = signature_of(*signed_whole);
  const std::string sig_id = signature_of(*signed_by_id);
  const std::string forged_head =
      "<c:Doc xmlns:c=\"urn:swg:test:c14n:1\"><Header><From><Identity>VN.MOIT.COO</Identity>"
      "</From></Header><Amount>1000000</Amount>";

  // A signer-bound verifier over the permissive grammar (sender taken from the test layout).
  const auto verify = [&](const std::string& doc) {
    trust::XmlSignatureVerifier verifier;
    auto scan = xml::Scanner::create(permissive);
    Status s = scan->scan(doc, verifier);
    if (!s.ok()) return s;
    v1::VerificationEvidence evidence;
    return verifier.finish(
        "VN.MOIT.COO", sample_trust(), kNow, [&](xml::Handler& h) { return scan->scan(doc, h); },
        &evidence);
  };
  REQUIRE(verify(*signed_whole).ok());
  REQUIRE(verify(*signed_by_id).ok());

  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> shapes = {
      {"signature moved under a wrapper child, forged content at the root",
       {forged_head + "<Wrapper>" + sig + "</Wrapper></c:Doc>", "SIG_PLACEMENT"}},
      {"the signed original wrapped inside the forged document",
       {forged_head + "<Wrapper>" + *signed_whole + "</Wrapper></c:Doc>", "SIG_PLACEMENT"}},
      {"the original's signature (by ID) over forged content with the same ID",
       {replace_first(forged_head, "<c:Doc ", "<c:Doc Id=\"orig\" ") + sig_id + "</c:Doc>",
        "SIG_DIGEST_MISMATCH"}},
      {"the original as a non-root element with the referenced ID, forged root",
       {forged_head + "<Holder Id=\"orig\">" +
            original.substr(original.find('>') + 1,
                            original.rfind("</c:Doc>") - original.find('>') - 1) +
            "</Holder>" + sig_id + "</c:Doc>",
        "SIG_REFERENCE"}},
      {"forged root with the original's signature beside a second signature",
       {forged_head + sig + sig + "</c:Doc>", "SIG_MULTIPLE"}},
      {"the original hidden in a ds:Object of the signature",
       {forged_head +
            replace_first(sig, "</ds:Signature>",
                          "<ds:Object>" + original + "</ds:Object></ds:Signature>") +
            "</c:Doc>",
        "SIG_PROFILE"}},
      {"the original's whole-document signature over forged content",
       {forged_head + sig + "</c:Doc>", "SIG_DIGEST_MISMATCH"}},
      {"signature moved into the forged document's header",
       {replace_first(forged_head, "<Header>", "<Header>" + sig) + "</c:Doc>", "SIG_PLACEMENT"}},
  };
  for (const auto& [name, shape] : shapes) {
    Status s = verify(shape.first);
    INFO(name << ": " << s.to_string() << "\n" << shape.first.substr(0, 600));
    CHECK(s.reason() == shape.second);
  }
}

TEST_CASE("an InclusiveNamespaces PrefixList on the reference is honoured (second pass)") {
  const std::string doc =
      read_file(source_dir() / "tests/fixtures/xml/permit/valid/application.xml");
  const std::string sender = sender_of(doc);
  // xmlsec1 signs with a PrefixList naming the envelope's prefix.
  std::string tpl = with_template(doc, kRsaSha256);
  tpl =
      replace_first(tpl, "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
                    "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">"
                    "<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" "
                    "PrefixList=\"env pm\"/></ds:Transform>");
  const fs::path in = scratch() / "prefixlist.xml";
  const fs::path out = scratch() / "prefixlist-signed.xml";
  write_file(in, tpl);
  const KeyFiles keys = keys_of(sender);
  REQUIRE(shell("xmlsec1 --sign --privkey-pem " + keys.key + "," + keys.cert + " --output " +
                out.string() + " " + in.string()) == 0);
  const std::string signed_doc = read_file(out);
  Status s = ingest(signed_doc);
  INFO(s.to_string());
  CHECK(s.ok());
  CHECK(ingest(replace_first(signed_doc, "Ho Chi Minh City<", "Ha Noi<")).reason() ==
        "SIG_DIGEST_MISMATCH");
}

}  // namespace
}  // namespace swg::ingest
