#pragma once
// `swg submit FILE…` and `swg fetch`: a partner's side of SWGP/1 (docs/protocols/partner.md) for
// operators and scripts. submit sends each file (a UN/EDIFACT interchange with its detached CMS
// signature FILE.p7s) as the partner named by --as (its CURVE key pair
// from certs-sample/curve by default), waits for each receipt, checks the gateway's signature on
// it, and prints one JSON line per file: {"file", "status", "gatewayMessageId", "rejections",
// "receiptVerified", …}. fetch prints the decisions held for the partner, one JSON line each,
// and acknowledges them with --ack.
// Exit status: 0 when every file was answered ACCEPTED or DUPLICATE (fetch: when the gateway
// answered), 1 when one was rejected, unanswered within --timeout, or its receipt does not
// verify, 2 on usage or configuration errors.

#include <cstdint>
#include <string>
#include <vector>

namespace swg::tools {

struct PartnerOptions {
  std::string identity;                           ///< --as
  std::string gateway = "tcp://127.0.0.1:5555";   ///< front endpoint
  std::string gateway_key_file;                   ///< the gateway's CURVE public key
  std::string curve_file;                         ///< the partner's CURVE key pair
  std::string gateway_identity = "VN.NSW.GATEWAY";
  std::string trust_dir, partners_file, xsd_dir;  ///< to verify receipts, to read message ids
  std::uint32_t timeout = 10;                     ///< seconds per answer
};

struct SubmitOptions {
  PartnerOptions partner;
  std::vector<std::string> files;
  std::string message_id;  ///< override the header's sender message id (one file)
};

struct FetchOptions {
  PartnerOptions partner;
  std::uint32_t max = 10;
  bool ack = false;
};

int run_submit(const SubmitOptions& options);
int run_fetch(const FetchOptions& options);

}  // namespace swg::tools
