#include "adapters/documents/xml_writer.h"

#include "gateway/core/status.h"

namespace swg::documents {

XmlWriter::XmlWriter(int indent) : indent_(indent) {
  clear();
}

void XmlWriter::clear() {
  out_.clear();
  open_.clear();
  start_tag_open_ = false;
  has_children_ = false;
  has_text_ = false;
  out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
}

void XmlWriter::newline_indent(std::size_t depth) {
  if (indent_ <= 0) return;
  out_ += '\n';
  out_.append(depth * static_cast<std::size_t>(indent_), ' ');
}

void XmlWriter::close_start_tag() {
  if (start_tag_open_) {
    out_ += '>';
    start_tag_open_ = false;
  }
}

void XmlWriter::start(std::string_view qname) {
  close_start_tag();
  SWG_ASSERT(!has_text_ || open_.empty());  // no mixed content in the model's documents
  if (!open_.empty() || indent_ > 0) newline_indent(open_.size());
  out_ += '<';
  out_ += qname;
  open_.emplace_back(qname);
  start_tag_open_ = true;
  has_children_ = false;
  has_text_ = false;
}

void XmlWriter::namespace_decl(std::string_view prefix, std::string_view uri) {
  SWG_ASSERT(start_tag_open_);
  out_ += prefix.empty() ? " xmlns=\"" : " xmlns:";
  if (!prefix.empty()) {
    out_ += prefix;
    out_ += "=\"";
  }
  append_escaped(out_, uri, true);
  out_ += '"';
}

void XmlWriter::attribute(std::string_view qname, std::string_view value) {
  SWG_ASSERT(start_tag_open_);
  out_ += ' ';
  out_ += qname;
  out_ += "=\"";
  append_escaped(out_, value, true);
  out_ += '"';
}

void XmlWriter::text(std::string_view value) {
  SWG_ASSERT(!open_.empty());
  close_start_tag();
  append_escaped(out_, value, false);
  has_text_ = true;
}

void XmlWriter::end() {
  SWG_ASSERT(!open_.empty());
  if (start_tag_open_) {
    out_ += "/>";
    start_tag_open_ = false;
  } else {
    if (has_children_) newline_indent(open_.size() - 1);
    out_ += "</";
    out_ += open_.back();
    out_ += '>';
  }
  open_.pop_back();
  has_children_ = true;  // the parent now has a child element
  has_text_ = false;
}

void XmlWriter::leaf(std::string_view qname, std::string_view value) {
  start(qname);
  if (!value.empty()) text(value);
  end();
}

void XmlWriter::optional_leaf(std::string_view qname, std::string_view value) {
  if (!value.empty()) leaf(qname, value);
}

std::string XmlWriter::take() {
  SWG_ASSERT(open_.empty());
  if (indent_ > 0) out_ += '\n';
  std::string result = std::move(out_);
  clear();
  return result;
}

void append_escaped(std::string& out, std::string_view value, bool attribute) {
  for (char c : value) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\r': out += "&#xD;"; break;
      case '"':
        if (attribute)
          out += "&quot;";
        else
          out += c;
        break;
      case '\t':
        if (attribute)
          out += "&#x9;";
        else
          out += c;
        break;
      case '\n':
        if (attribute)
          out += "&#xA;";
        else
          out += c;
        break;
      default: out += c;
    }
  }
}

}  // namespace swg::documents
