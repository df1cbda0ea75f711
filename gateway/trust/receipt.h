#pragma once
// The gateway's signed receipts: a Receipt serialised once and signed with the gateway's key
// (ECDSA P-256 by default: about 23 µs a signature here, against 665 µs for RSA-2048), either
// alone or, for a batch, as one leaf of a Merkle tree whose root is signed once; verifiable by
// anyone holding the trust store and the partner registry (docs/protocols/partner.md §2.1.1).

#include <cstdint>
#include <string_view>
#include <vector>

#include "gateway/core/status.h"
#include "gateway/trust/signer.h"
#include "gateway/trust/xmldsig.h"
#include "swg/v1/receipt.pb.h"

namespace swg::trust {

/// Serialises `receipt` and signs the bytes with `signer`'s default algorithm. Thread-safe.
/// Errors: INTERNAL on a serialisation or OpenSSL failure.
StatusOr<v1::SignedReceipt> sign_receipt(const v1::Receipt& receipt, const Signer& signer);

/// Serialises each of `receipts` (at least one) and signs them all with one signature over the
/// root of a Merkle tree of them; each result carries that root, the signature and its own
/// inclusion proof. `signed_at_us` (microseconds since the epoch) goes into the root. Thread-safe.
/// Errors: INTERNAL on a serialisation or OpenSSL failure.
StatusOr<std::vector<v1::SignedReceipt>> sign_receipts(
    const std::vector<const v1::Receipt*>& receipts, const Signer& signer,
    std::int64_t signed_at_us);

/// Checks a receipt said to come from `gateway_identity` at `now`: the signer certificate chains
/// to the trust store, is one the partner registry allows for that identity, and its key verifies
/// the signature over the receipt bytes or, when `root` is set, over the root, whose tree the
/// proof shows the receipt is in; then parses the receipt.
/// Errors: the trust-store and registry codes; SIG_ALG_FORBIDDEN, SIG_INVALID (signature or
/// inclusion proof); SIG_MALFORMED when the bytes are not a Receipt (or the root a ReceiptRoot).
StatusOr<v1::Receipt> verify_receipt(const v1::SignedReceipt& signed_receipt,
                                     std::string_view gateway_identity, const TrustContext& trust,
                                     std::int64_t now);

}  // namespace swg::trust
