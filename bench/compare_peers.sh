#!/usr/bin/env bash
# The XML decode benchmark beside the two peer pipelines of ../shared/peers, in ONE run on the
# same core, so that ratios are meaningful on a shared, noisy machine.
#   peer_xerces -m saxval -g : Xerces-C SAX2 parse + validate, schema-only scanner, empty handlers
#   peer_libxml -m validate  : libxml2 parse + xmlSchemaValidateDoc
#   decode_bench             : our parse + validate + map to the model (and scan alone) on the
#                              project's documents of 2 / 10 / 100 KB, and
#   scan_only/peer_corpus/*  : our scanner on the peers' own corpus and schema (signed documents
#                              of about 4.9 / 12.7 / 103 KiB): the like-for-like ratio.
# Usage: bench/compare_peers.sh [BUILD_DIR]   (needs a build with SWG_BUILD_BENCH=ON)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
peers_src=${SWG_PEERS_DIR:-../shared/peers}
work=${TMPDIR:-/tmp}/swg-peers
core=${SWG_BENCH_CORE:-1}

[ -x "$build/bench/decode_bench" ] || { echo "build $build/bench/decode_bench first" >&2; exit 2; }
[ -d "$peers_src" ] || { echo "no peers at $peers_src (set SWG_PEERS_DIR)" >&2; exit 2; }

rm -rf "$work" && cp -r "$peers_src" "$work"
make -s -C "$work" pipelines/peer_libxml pipelines/peer_xerces
corpus="$work/corpus-out"
python3 "$work/corpus/gen_corpus.py" --out "$corpus" --count 40 --algs rsa --pki "$work/corpus/pki" >/dev/null

echo "# peers (one core: $core)"
for size in 2k 10k 100k; do
  taskset -c "$core" "$work/pipelines/peer_xerces" -g -m saxval -s "$corpus/schema/coo.xsd" -t 3 "$corpus/rsa/$size" | grep RESULT
  taskset -c "$core" "$work/pipelines/peer_libxml" -m validate -s "$corpus/schema/coo.xsd" -t 3 "$corpus/rsa/$size" | grep RESULT
done
echo "# ours (same core)"
SWG_BENCH_PEER_CORPUS="$corpus" taskset -c "$core" "$build/bench/decode_bench" --benchmark_min_time=2 \
  --benchmark_filter="${SWG_BENCH_FILTER:-.}"
