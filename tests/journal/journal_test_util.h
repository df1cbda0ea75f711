#pragma once
// Helpers shared by the journal tests: a temporary folder and submissions with predictable
// contents, so that a test can tell from an id alone what must have been stored.

#include <filesystem>
#include <string>
#include <vector>

#include "gateway/journal/journal.h"

#include "tests/support/fixtures.h"

namespace swg::journal::testing {

using swg::testing::TempDir;

/// Seconds since the epoch as a journal time.
Time at(std::int64_t seconds);

/// The raw bytes an accepted test submission with this id carries (`size` bytes).
std::string raw_for(const std::string& gateway_message_id, std::size_t size = 64);

/// An accepted submission whose raw bytes, model, evidence and receipt derive from its id. The
/// receipt is a real serialized swg.v1.SignedReceipt naming the id.
Submission accepted(const std::string& gateway_message_id, const std::string& sender,
                    const std::string& sender_message_id, std::vector<std::string> destinations,
                    std::size_t raw_size = 64);

/// A rejected submission with the given rejection code.
Submission rejected(const std::string& gateway_message_id, const std::string& sender,
                    const std::string& sender_message_id, const std::string& code);

/// The gateway message id inside a serialized SignedReceipt ("" when it does not parse).
std::string receipt_message_id(const std::string& signed_receipt);

}  // namespace swg::journal::testing
