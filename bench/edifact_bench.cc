// EDIFACT throughput: the streaming lexer alone (MB/s), parse + validate of whole interchanges,
// and the whole path parse + validate + map (map_message of every message to the model), in
// bytes/s and messages/s, for a ~2 KB (one message) and a ~200 KB CUSDEC interchange. Run from
// the repository root (grammars are read from adapters/edifact/grammars).
#include <malloc.h>

#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include "adapters/documents/edifact_mapper.h"
#include "adapters/edifact/lexer.h"
#include "adapters/edifact/validator.h"

namespace {

using swg::edifact::Segment;
using swg::edifact::SegmentInfo;

// Each iteration builds and frees a whole parse tree (2-3 MB for the 200 KB interchange). glibc
// returns the freed top of the heap to the kernel when it exceeds the trim threshold (128 KB),
// and the next iteration faults the pages back in: whether that happens depends on where the
// last small blocks happen to lie, which made the 200 KB runs bimodal (1.3 ms or 6 ms) with no
// change in the work measured. A high threshold keeps the heap, so that the 200 KB figures measure
// the parse rather than page faults; the 2 KB figures are the same with or without it.
const bool kHeapKept = mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;

/// One CUSDEC message of about 2 KB: header, parties, totals and four goods items.
std::string cusdec_message(int number) {
  const std::string ref = "M" + std::to_string(number);
  std::string body =
      "BGM+929+100240115" + std::to_string(10000 + number) +
      "+9'CST++A11'LOC+41+VNHPH'LOC+9+CNSHA'DTM+137:20240115:102'DTM+132:20240118:102'"
      "FTX+AAI+++HANG NHAP KHAU THEO HOP DONG 2024?/HD-01'RFF+ABT:10024011500012'"
      "DTM+182:20240110:102'TDT+20+VOY123E+1'DOC+380+INV-2024-001'DTM+3:20240105:102'"
      "NAD+IM+0101234567++CONG TY TNHH THUONG MAI AN PHAT+SO 12 PHO HUE+HA NOI++10000+VN'"
      "CTA+IC+:NGUYEN VAN AN'COM+84912345678:TE'"
      "NAD+EX+++SHANGHAI ELECTRONICS EXPORT CO LTD+88 PUDONG AVENUE+SHANGHAI++200120+CN'"
      "TOD+++CIF'LOC+5+VNHPH'MOA+40:125000.00:USD'CUX+2:USD:4+3:VND:1+24500'UNS+D'";
  for (int item = 1; item <= 4; ++item) {
    body += "CST+" + std::to_string(item) +
            "+84713020'FTX+AAA+++MAY TINH XACH TAY 14 INCH CORE I5 RAM 16GB SSD 512GB'"
            "LOC+27+CN'MEA+WT+AAB+KGM:1250.5'PAC+20++CT'MOA+38:62500.00:USD'RFF+AAE:1'"
            "DOC+861+CO-E-2024-00123'DTM+182:20240108:102'TAX+5+IMP+++:::5'"
            "MOA+124:76562500:VND'QVR+0:47'QTY+47:500:PCE'";
  }
  body += "UNS+S'CNT+2:4'TAX+7+VAT+++:::10'MOA+124:306250000:VND'";
  int segments = 2;
  for (char c : body) segments += c == '\'' ? 1 : 0;
  return "UNH+" + ref + "+CUSDEC:D:96B:UN'" + body + "UNT+" + std::to_string(segments) + "+" + ref +
         "'";
}

std::string interchange(std::size_t target_bytes, int& messages) {
  std::string out = "UNA:+.? 'UNB+UNOC:3+VNTRADER01:ZZ+VNCUSTOMS:ZZ+240115:0930+IC1'";
  messages = 0;
  do {
    out += cusdec_message(++messages);
  } while (out.size() + 2048 < target_bytes);
  return out + "UNZ+" + std::to_string(messages) + "+IC1'";
}

class CountSink final : public swg::edifact::SegmentSink {
 public:
  swg::Status segment(const Segment& segment, const SegmentInfo&) override {
    benchmark::DoNotOptimize(segment.tag().data());
    ++count;
    return {};
  }
  std::size_t count = 0;
};

void BM_Lex(benchmark::State& state) {
  int messages = 0;
  const std::string data = interchange(static_cast<std::size_t>(state.range(0)), messages);
  swg::edifact::Lexer lexer;
  CountSink sink;
  for (auto _ : state) {
    lexer.reset();
    swg::Status status = lexer.feed(data, sink);
    if (status.ok()) status = lexer.finish(sink);
    if (!status.ok()) state.SkipWithError(status.to_string().c_str());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.counters["bytes"] = static_cast<double>(data.size());
}

// Parse + validate of the interchange each iteration, and with `map` every message mapped too.
void parse_validate(benchmark::State& state, bool map) {
  int messages = 0;
  const std::string data = interchange(static_cast<std::size_t>(state.range(0)), messages);
  auto grammars = swg::edifact::Grammars::load("adapters/edifact/grammars");
  if (!grammars.ok()) {
    state.SkipWithError(grammars.status().to_string().c_str());
    return;
  }
  swg::edifact::Validator validator(*grammars);
  for (auto _ : state) {
    auto parsed = swg::edifact::parse(data);
    if (!parsed.ok()) {
      state.SkipWithError(parsed.status().to_string().c_str());
      break;
    }
    const swg::Status status = validator.validate(*parsed);
    if (!status.ok()) {
      state.SkipWithError(status.to_string().c_str());
      break;
    }
    if (!map) continue;
    for (const swg::edifact::Message* message : parsed->all_messages()) {
      auto envelope = swg::documents::map_message(*parsed, *message);
      if (!envelope.ok()) {
        state.SkipWithError(envelope.status().to_string().c_str());
        return;
      }
      benchmark::DoNotOptimize(envelope->ByteSizeLong());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * messages));
  state.counters["messages"] = messages;
  if (map) {
    state.counters["msgs_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * messages, benchmark::Counter::kIsRate);
  }
}

void BM_ParseValidate(benchmark::State& state) {
  parse_validate(state, /*map=*/false);
}

void BM_ParseValidateMap(benchmark::State& state) {
  parse_validate(state, /*map=*/true);
}

}  // namespace

BENCHMARK(BM_Lex)->Arg(2 << 10)->Arg(200 << 10);
BENCHMARK(BM_ParseValidate)->Arg(2 << 10)->Arg(200 << 10);
BENCHMARK(BM_ParseValidateMap)->Arg(2 << 10)->Arg(200 << 10);

BENCHMARK_MAIN();
