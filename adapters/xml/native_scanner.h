#pragma once
// The native pass of the scanner (Engine::kNative and kAuto in scanner.h). Internal to this
// folder.
//
// One pass over the raw UTF-8 bytes checks well-formedness and namespaces and validates against
// the grammars Xerces compiled (content models, attributes, and each simple value through the
// grammar's own Xerces datatype validator, or for the ASCII values of string, decimal, integer
// and boolean types through the same facets checked natively: value_facets.h), recording the
// events; only when the whole document is accepted are the events delivered to the handler,
// exactly as the Xerces engine delivers them (names, values, the runs of character data,
// positions, paths).
//
// It implements a subset, and declines everything else with XML_NATIVE_DECLINED before any event
// is delivered: documents that are not well-formed or not valid, and well-formed, valid ones it
// does not handle (another encoding than UTF-8, a non-ASCII name, a CDATA section, an xsi:
// attribute, an element type outside the compiled subset, a limit reached, more than
// kMaxNativeBytes). Under Engine::kAuto Xerces then scans the document and its result stands, so
// a declined document gets exactly the rejection (code, message, location) it always got.
// Accepting only what Xerces accepts, with the same events, is what tests/xml/native_scanner_test
// checks, document by document, mutant by mutant.

#include <cstddef>
#include <memory>

#include <xercesc/framework/XMLGrammarPool.hpp>

#include "adapters/xml/scanner.h"

namespace swg::xml::detail {

/// Larger documents are declined (the recorded events grow with the document).
inline constexpr std::size_t kMaxNativeBytes = 4u << 20;

/// A native scanner validating against the grammars of `pool`, which must be locked, outlive the
/// scanner and be used by one thread at a time with it (the datatype validators are not
/// thread-safe).
std::unique_ptr<Scanner> make_native_scanner(XERCES_CPP_NAMESPACE::XMLGrammarPool* pool,
                                             Limits limits);

}  // namespace swg::xml::detail
