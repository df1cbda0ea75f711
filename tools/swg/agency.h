#pragma once
// `swg agency --service NAME`: the reference agency worker (docs/protocols/agency.md). It
// connects to the gateway's back socket with CURVE, announces its service, and for every
// delivery: prints it (one JSON line), acknowledges it, and answers with a decision — an
// AgencyResponse envelope naming the request, signed with the agency's key — submitted on the
// same socket, printing the gateway's receipt. The decision is configurable: grant, refuse, hold.
// Exit status: 0 after --count deliveries (or SIGINT/SIGTERM), 1 on a protocol error or when the
// gateway stays silent past --timeout, 2 on usage or configuration errors.

#include <cstdint>
#include <string>

namespace swg::tools {

struct AgencyOptions {
  std::string service;
  std::string gateway = "tcp://127.0.0.1:5556";
  std::string gateway_key_file;  ///< the gateway's CURVE public key
  std::string curve_file;        ///< the agency's CURVE key pair
  std::string key_file;          ///< signing key of decisions
  std::string cert_file;
  std::string xsd_dir;
  std::string decision = "grant";  ///< grant, refuse, hold
  std::uint32_t credit = 8;
  std::uint32_t count = 0;    ///< stop after this many deliveries; 0: run until a signal
  std::uint32_t timeout = 0;  ///< seconds of silence from the gateway before giving up; 0: never
};

int run_agency(const AgencyOptions& options);

}  // namespace swg::tools
