#include "adapters/documents/xml_writer.h"

#include <catch2/catch.hpp>

namespace swg::documents {
namespace {

TEST_CASE("XmlWriter nests, indents and escapes") {
  XmlWriter out(2);
  out.start("p:Root");
  out.namespace_decl("p", "urn:x&y");
  out.attribute("Id", "a\"b<c>\t\n");
  out.leaf("p:Text", "fish & chips <1> \"q\"\r");
  out.optional_leaf("p:Absent", "");
  out.start("p:Empty");
  out.end();
  out.end();
  CHECK(out.take() ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<p:Root xmlns:p=\"urn:x&amp;y\" Id=\"a&quot;b&lt;c&gt;&#x9;&#xA;\">\n"
        "  <p:Text>fish &amp; chips &lt;1&gt; \"q\"&#xD;</p:Text>\n"
        "  <p:Empty/>\n"
        "</p:Root>\n");
}

TEST_CASE("XmlWriter without indentation writes one line and is reusable") {
  XmlWriter out(0);
  out.start("a");
  out.leaf("b", "1");
  out.end();
  CHECK(out.take() == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a><b>1</b></a>");
  out.start("c");
  out.end();
  CHECK(out.take() == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><c/>");
}

}  // namespace
}  // namespace swg::documents
