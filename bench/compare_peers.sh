#!/usr/bin/env bash
# Our benchmarks beside the two peer pipelines of ../shared/peers, in ONE run on the same core, so
# that ratios are meaningful on a shared, noisy machine.
#
#   scan     the XML decode path (no signatures):
#              peer_xerces -m saxval -g : Xerces-C SAX2 parse + validate, schema-only scanner
#              peer_libxml -m validate  : libxml2 parse + xmlSchemaValidateDoc
#              decode_bench             : our parse + validate + map on the project's documents,
#                                         and scan_only/peer_corpus/* on the peers' own corpus
#   verified the full pipeline with signatures:
#              peer_libxml -m full      : libxml2 parse + validate + xmlsec1 verify (+ chain)
#              peer_xerces -m full -g   : Xerces DOM + Santuario verify (+ chain)
#              ingest_bench             : verify/peer_corpus/* (our parse + validate + exc-c14n +
#                                         verify + chain + partner binding on the peers' very
#                                         documents), and ingest/* (the same plus mapping on the
#                                         project's documents)
#   daemon   the whole gateway against the peers' verification alone:
#              peer_libxml -m full, peer_xerces -m full -g on rsa/10k, one instance per core at
#                                         once (what the machine can verify with them)
#              swgd_load --spawn swgd   : swgd end to end on both cores (CURVE, verify, map,
#                                         journal with fsync, signed receipts), the load
#                                         generator beside it
#
# Usage: bench/compare_peers.sh [scan|verified|daemon|all] [BUILD_DIR]   (needs SWG_BUILD_BENCH=ON)
# Environment: SWG_PEERS_DIR (default ../shared/peers), SWG_BENCH_CORE (default 1),
#              SWG_BENCH_FILTER (a benchmark filter for our programs), SWG_BENCH_SECONDS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
build=${2:-build}
peers_src=${SWG_PEERS_DIR:-../shared/peers}
work=${TMPDIR:-/tmp}/swg-peers
core=${SWG_BENCH_CORE:-1}
seconds=${SWG_BENCH_SECONDS:-3}

for program in decode_bench ingest_bench swgd_load; do
  [ -x "$build/bench/$program" ] || { echo "build $build/bench/$program first" >&2; exit 2; }
done
[ -d "$peers_src" ] || { echo "no peers at $peers_src (set SWG_PEERS_DIR)" >&2; exit 2; }

rm -rf "$work" && cp -r "$peers_src" "$work"
make -s -C "$work" pipelines/peer_libxml pipelines/peer_xerces
corpus="$work/corpus-out"
python3 "$work/corpus/gen_corpus.py" --out "$corpus" --count 40 --algs rsa,ecdsa \
  --pki "$work/corpus/pki" >/dev/null

# Our trust store wants a CRL for every CA: issue empty ones for the peers' two test CAs.
for ca in rsa ec; do
  dir="$work/crl-$ca"
  mkdir -p "$dir" && : >"$dir/index.txt" && echo 01 >"$dir/crlnumber"
  cat >"$dir/ca.cnf" <<EOF
[ ca ]
default_ca = peer
[ peer ]
database = $dir/index.txt
crlnumber = $dir/crlnumber
default_md = sha256
default_crl_days = 3650
EOF
  openssl ca -batch -config "$dir/ca.cnf" -gencrl -keyfile "$work/corpus/pki/ca-$ca.key" \
    -cert "$corpus/pki/ca-$ca.pem" -out "$corpus/pki/ca-$ca.crl.pem" 2>/dev/null
done

peer() { taskset -c "$core" "$@" | grep RESULT; }
cas=(-c "$corpus/pki/ca-rsa.pem" -c "$corpus/pki/ca-ec.pem")

if [ "$mode" = scan ] || [ "$mode" = all ]; then
  echo "# scan: peers (one core: $core)"
  for size in 2k 10k 100k; do
    peer "$work/pipelines/peer_xerces" -g -m saxval -s "$corpus/schema/coo.xsd" -t "$seconds" "$corpus/rsa/$size"
    peer "$work/pipelines/peer_libxml" -m validate -s "$corpus/schema/coo.xsd" -t "$seconds" "$corpus/rsa/$size"
  done
  echo "# scan: ours (same core)"
  SWG_BENCH_PEER_CORPUS="$corpus" taskset -c "$core" "$build/bench/decode_bench" \
    --benchmark_min_time="$seconds" --benchmark_filter="${SWG_BENCH_FILTER:-.}"
fi

if [ "$mode" = verified ] || [ "$mode" = all ]; then
  echo "# verified: peers, full pipeline (one core: $core)"
  for alg in rsa ecdsa; do
    for size in 2k 10k 100k; do
      peer "$work/pipelines/peer_libxml" -m full -s "$corpus/schema/coo.xsd" "${cas[@]}" -t "$seconds" "$corpus/$alg/$size"
      peer "$work/pipelines/peer_xerces" -g -m full -s "$corpus/schema/coo.xsd" "${cas[@]}" -t "$seconds" "$corpus/$alg/$size"
    done
  done
  echo "# verified: ours (same core)"
  SWG_BENCH_PEER_CORPUS="$corpus" taskset -c "$core" "$build/bench/ingest_bench" \
    --benchmark_min_time="$seconds" --benchmark_filter="${SWG_BENCH_FILTER:-.}"
fi

if [ "$mode" = daemon ] || [ "$mode" = all ]; then
  echo "# daemon: peers, full pipeline on rsa/10k, one instance on each core at once"
  for pipeline in "peer_libxml -m full" "peer_xerces -g -m full"; do
    for c in 0 1; do
      # shellcheck disable=SC2086
      taskset -c "$c" "$work/pipelines/"$pipeline -s "$corpus/schema/coo.xsd" "${cas[@]}" \
        -t "$seconds" "$corpus/rsa/10k" | grep RESULT | sed "s/^/core $c: /" &
    done
    wait
  done
  echo "# daemon: ours, swgd end to end on both cores (~12.75 KB RSA-signed documents)"
  "$build/bench/swgd_load" --spawn "$build/gateway/server/swgd" --count "${SWG_LOAD_COUNT:-16000}" \
    --window 16 | grep -E '"(throughput_msgs_per_s|receipt_latency_ms|gateway_stages|group_commit)"'
fi
