#include "adapters/edifact/lexer.h"

#include <cstdio>
#include <string>

namespace swg::edifact {
namespace {

bool is_blank(char c) {
  return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

bool is_tag_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u <= 0x7E) return std::string("'") + c + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", u);
  return hex;
}

}  // namespace

Lexer::Lexer(Limits limits) : limits_(limits) {
  reset();
}

void Lexer::reset() {
  separators_ = Separators::defaults(3);
  has_una_ = false;
  charset_ = Charset::kUnknown;
  syntax_version_ = 0;
  state_ = State::kStart;
  in_tag_ = false;
  segment_.clear();
  segment_bytes_ = 0;
  info_ = {};
  segment_index_ = 0;
  una_.clear();
  chunk_base_ = 0;
  chunk_begin_ = nullptr;
  line_ = 1;
  line_start_ = 0;
  fault_ = {};
  rebuild_classes();
}

void Lexer::rebuild_classes() {
  // Data or bad for each repertoire, built once: a parse rebuilds the table twice (at the start
  // and at UNB), which looking up all 256 bytes each time made a cost of every interchange.
  static const auto kRepertoires = [] {
    // One table for each Charset value, kUnknown to kUnow (the last one).
    std::array<std::array<Class, 256>, static_cast<std::size_t>(Charset::kUnow) + 1> tables{};
    for (std::size_t charset = 0; charset < tables.size(); ++charset) {
      for (int c = 0; c < 256; ++c) {
        tables[charset][c] =
            allowed_in(static_cast<Charset>(charset), static_cast<unsigned char>(c)) ? kData : kBad;
      }
    }
    return tables;
  }();
  classes_ = kRepertoires[static_cast<std::size_t>(charset_)];
  auto mark = [this](char c, Class cls) {
    if (c != 0) classes_[static_cast<unsigned char>(c)] = cls;
  };
  mark(separators_.component, kComponent);
  mark(separators_.element, kElement);
  mark(separators_.repetition, kRepetition);
  mark(separators_.release, kRelease);
  mark(separators_.terminator, kEnd);
}

Status Lexer::fail(std::string_view reason, SyntaxError error, std::string message, StatusCode code,
                   bool at_value) {
  fault_ = {};
  fault_.code = code;
  fault_.reason = std::string(reason);
  fault_.syntax_error = error;
  fault_.message = std::move(message);
  fault_.interchange_segment = info_.index;
  fault_.line = info_.line;
  fault_.column = info_.column;
  if (state_ == State::kSegment || state_ == State::kReleased) {
    if (!in_tag_) fault_.segment_tag = std::string(segment_.tag());
    if (at_value) {
      fault_.element = segment_.open_element();
      if (fault_.element != 0) {
        fault_.component = segment_.open_component_position();
        fault_.repetition = segment_.open_repetition();
      }
    }
  }
  return fault_.status();
}

void Lexer::begin_segment(std::uint64_t offset) {
  segment_.clear();
  segment_bytes_ = 0;
  in_tag_ = true;
  info_.index = segment_index_ + 1;
  info_.offset = offset;
  info_.line = line_;
  info_.column = static_cast<std::uint32_t>(offset - line_start_ + 1);
  state_ = State::kSegment;
}

Status Lexer::feed(std::string_view chunk, SegmentSink& sink) {
  chunk_begin_ = chunk.data();
  Status status = consume(chunk.data(), chunk.data() + chunk.size(), sink);
  chunk_base_ += chunk.size();
  return status;
}

Status Lexer::finish(SegmentSink& sink) {
  switch (state_) {
    case State::kStart:
    case State::kBetween: return {};
    case State::kUnaPrefix:
      begin_segment(chunk_base_ - una_.size());
      segment_.append(una_);
      return fail(codes::kUnterminated, SyntaxError::kUnspecified, "data ends inside a segment tag",
                  StatusCode::kInvalidArgument, false);
    case State::kUna:
      info_.index = 0;
      return fail(codes::kUnaInvalid, SyntaxError::kInvalidServiceCharacter,
                  "data ends inside the UNA service string advice");
    case State::kReleased:
      return fail(codes::kUnterminated, SyntaxError::kUnspecified,
                  "data ends with a release character that releases nothing; the segment has no "
                  "terminator");
    case State::kSegment:
      return fail(codes::kUnterminated, SyntaxError::kUnspecified,
                  "data ends inside a segment: segment terminator " +
                      printable(separators_.terminator) + " missing");
  }
  return {};
}

Status Lexer::consume(const char* p, const char* end, SegmentSink& sink) {
  auto offset_of = [this](const char* at) {
    return chunk_base_ + static_cast<std::uint64_t>(at - chunk_begin_);
  };
  while (p < end) {
    switch (state_) {
      case State::kStart:
        if (is_blank(*p)) {
          if (*p == '\n') {
            ++line_;
            line_start_ = offset_of(p) + 1;
          }
          ++p;
          break;
        }
        state_ = State::kUnaPrefix;
        una_.clear();
        break;
      case State::kUnaPrefix:
        if (*p == "UNA"[una_.size()]) {
          una_.push_back(*p++);
          if (una_.size() == 3) {
            una_.clear();
            state_ = State::kUna;
          }
          break;
        }
        // Not a UNA: what was read is the start of the first segment's tag.
        begin_segment(offset_of(p) - una_.size());
        segment_.append(una_);
        segment_bytes_ = una_.size();
        break;
      case State::kUna:
        una_.push_back(*p++);
        if (una_.size() == 6) SWG_RETURN_IF_ERROR(apply_una());
        break;
      case State::kBetween:
        if (is_blank(*p)) {
          if (*p == '\n') {
            ++line_;
            line_start_ = offset_of(p) + 1;
          }
          ++p;
          break;
        }
        begin_segment(offset_of(p));
        break;
      case State::kReleased: {
        const char c = *p++;
        ++segment_bytes_;
        if (!allowed_in(charset_, static_cast<unsigned char>(c))) {
          return fail(codes::kCharset, SyntaxError::kInvalidCharacter,
                      "character " + printable(c) + " is not in the declared character set");
        }
        segment_.append(c);
        state_ = State::kSegment;
        break;
      }
      case State::kSegment: {
        const char* run = p;
        while (p < end && classes_[static_cast<unsigned char>(*p)] == kData) ++p;
        if (p > run) {
          segment_bytes_ += static_cast<std::size_t>(p - run);
          if (segment_bytes_ > limits_.max_segment_bytes) {
            return fail(
                codes::kSegmentTooLong, SyntaxError::kUnspecified,
                "segment longer than " + std::to_string(limits_.max_segment_bytes) + " bytes",
                StatusCode::kResourceExhausted, false);
          }
          segment_.append(std::string_view(run, static_cast<std::size_t>(p - run)));
          if (in_tag_ && segment_.open_component().size() >= 3) {
            if (segment_.open_component().substr(0, 3) == "UNA") {
              return fail(codes::kUnaMisplaced, SyntaxError::kNotSupportedInPosition,
                          "UNA service string advice is allowed only at the start of the "
                          "interchange",
                          StatusCode::kInvalidArgument, false);
            }
            if (segment_.open_component().size() > 3) SWG_RETURN_IF_ERROR(close_tag());
          }
          if (p == end) break;
        }
        const char c = *p++;
        ++segment_bytes_;
        const Class cls = classes_[static_cast<unsigned char>(c)];
        if (in_tag_ && cls != kBad && cls != kRelease) SWG_RETURN_IF_ERROR(close_tag());
        switch (cls) {
          case kData: break;
          case kComponent:
            if (segment_.open_component_position() >= limits_.max_components) {
              return fail(codes::kTooManyComponents, SyntaxError::kTooManyConstituents,
                          "more than " + std::to_string(limits_.max_components) +
                              " components in a data element");
            }
            segment_.next_component();
            break;
          case kRepetition:
            if (segment_.open_repetition() >= limits_.max_repetitions) {
              return fail(codes::kTooManyElements, SyntaxError::kTooManyRepetitions,
                          "more than " + std::to_string(limits_.max_repetitions) +
                              " repetitions of a data element");
            }
            segment_.next_repetition();
            break;
          case kElement:
            if (segment_.open_element() >= limits_.max_elements) {
              return fail(codes::kTooManyElements, SyntaxError::kTooManyConstituents,
                          "more than " + std::to_string(limits_.max_elements) +
                              " data elements in a segment");
            }
            segment_.next_element();
            break;
          case kRelease:
            if (in_tag_) {
              return fail(codes::kSegmentTag, SyntaxError::kInvalidServiceCharacter,
                          "release character inside a segment tag", StatusCode::kInvalidArgument,
                          false);
            }
            state_ = State::kReleased;
            break;
          case kEnd:
            segment_.close();
            SWG_RETURN_IF_ERROR(complete(sink));
            state_ = State::kBetween;
            break;
          case kBad:
            return fail(codes::kCharset, SyntaxError::kInvalidCharacter,
                        "character " + printable(c) + " is not in the declared character set");
        }
        break;
      }
    }
  }
  return {};
}

Status Lexer::apply_una() {
  Separators s;
  s.component = una_[0];
  s.element = una_[1];
  s.decimal = una_[2];
  s.release = una_[3] == ' ' ? 0 : una_[3];
  s.repetition = una_[4] == ' ' ? 0 : una_[4];
  s.terminator = una_[5];
  info_.index = 0;
  const char chars[] = {s.component, s.element, s.release, s.repetition, s.terminator};
  const char* names[] = {"component separator", "data element separator", "release character",
                         "repetition separator", "segment terminator"};
  for (int i = 0; i < 5; ++i) {
    const char c = chars[i];
    if (c == 0) continue;
    if (c == ' ' || is_tag_char(c) || (c >= 'a' && c <= 'z') || c == '.' || c == ',') {
      return fail(codes::kUnaInvalid, SyntaxError::kInvalidServiceCharacter,
                  std::string("UNA ") + names[i] + " " + printable(c) + " is not allowed");
    }
    for (int j = 0; j < i; ++j) {
      if (chars[j] == c) {
        return fail(
            codes::kUnaInvalid, SyntaxError::kInvalidServiceCharacter,
            std::string("UNA ") + names[i] + " " + printable(c) + " repeats the " + names[j]);
      }
    }
  }
  if (s.decimal != '.' && s.decimal != ',') {
    return fail(codes::kUnaInvalid, SyntaxError::kInvalidServiceCharacter,
                "UNA decimal mark " + printable(s.decimal) + " is neither '.' nor ','");
  }
  separators_ = s;
  has_una_ = true;
  una_.clear();
  rebuild_classes();
  state_ = State::kBetween;
  return {};
}

Status Lexer::close_tag() {
  in_tag_ = false;
  const std::string_view tag = segment_.open_component();
  bool valid = tag.size() == 3;
  for (char c : tag) valid = valid && is_tag_char(c);
  if (!valid) {
    in_tag_ = true;  // report no tag: it is not one
    return fail(codes::kSegmentTag, SyntaxError::kInvalidValue,
                "segment tag '" + std::string(tag.substr(0, 8)) + (tag.size() > 8 ? "...'" : "'") +
                    " is not three upper case letters or digits",
                StatusCode::kInvalidArgument, false);
  }
  return {};
}

Status Lexer::check_values(Charset charset) {
  const std::uint32_t elements = segment_.element_count();
  for (std::uint32_t e = 0; e <= elements; ++e) {
    const std::uint32_t reps = e == 0 ? 1 : segment_.repetition_count(e);
    for (std::uint32_t r = 1; r <= reps; ++r) {
      const std::uint32_t comps = e == 0 ? 1 : segment_.component_count(e, r);
      for (std::uint32_t c = 1; c <= comps; ++c) {
        const std::string_view value = segment_.value(e, c, r);
        std::string_view bad;
        for (std::size_t i = 0; i < value.size() && bad.empty(); ++i) {
          if (!allowed_in(charset, static_cast<unsigned char>(value[i]))) {
            bad = value.substr(i, 1);
          }
        }
        if (bad.empty() && charset == Charset::kUnow) {
          const std::size_t ok = valid_utf8_prefix(value);
          if (ok != value.size()) bad = value.substr(ok, 1);
        }
        if (!bad.empty()) {
          Status status =
              fail(codes::kCharset, SyntaxError::kInvalidCharacter,
                   "character " + printable(bad[0]) + " is not in the declared character set",
                   StatusCode::kInvalidArgument, false);
          fault_.segment_tag = std::string(segment_.tag());
          fault_.element = e;
          fault_.component = e == 0 ? 0 : c;
          fault_.repetition = e == 0 ? 0 : r;
          return fault_.status();
        }
      }
    }
  }
  return {};
}

Status Lexer::read_header() {
  const std::string_view identifier = segment_.value(1, 1);
  const std::string_view version = segment_.value(1, 2);
  auto fail_at = [this](std::string_view reason, std::uint32_t component, std::string message) {
    Status status = fail(reason, SyntaxError::kSyntaxVersionNotSupported, std::move(message),
                         StatusCode::kInvalidArgument, false);
    fault_.segment_tag = "UNB";
    fault_.element = 1;
    fault_.component = component;
    return fault_.status();
  };
  const Charset charset = charset_from_identifier(identifier);
  if (charset == Charset::kUnknown) {
    return fail_at(codes::kCharsetUnsupported, 1,
                   "syntax identifier '" + std::string(identifier.substr(0, 8)) +
                       "' is not a supported character set (UNOA, UNOB, UNOC..UNOK, UNOW)");
  }
  if (version.size() != 1 || version[0] < '2' || version[0] > '4') {
    return fail_at(
        codes::kSyntaxVersion, 2,
        "syntax version '" + std::string(version.substr(0, 8)) + "' is not supported (2, 3 or 4)");
  }
  syntax_version_ = version[0] - '0';
  if (charset == Charset::kUnow && syntax_version_ < 4) {
    return fail_at(codes::kCharsetUnsupported, 1, "UNOW requires syntax version 4");
  }
  if (has_una_) {
    // Service characters are graphic ASCII characters (level A senders often pick ones outside
    // their repertoire, such as '|'), the information separators IS1..IS4 that level B reserves
    // for the purpose, or characters of the declared repertoire.
    for (char c : {separators_.component, separators_.element, separators_.release,
                   separators_.repetition, separators_.terminator}) {
      const auto u = static_cast<unsigned char>(c);
      if (c != 0 && !allowed_in(charset, u) && (u < 0x1C || u > 0x1F) && (u < 0x21 || u > 0x7E)) {
        Status status =
            fail(codes::kUnaInvalid, SyntaxError::kInvalidServiceCharacter,
                 "UNA service character " + printable(c) + " is not in " + std::string(identifier),
                 StatusCode::kInvalidArgument, false);
        fault_.segment_tag = "UNA";
        return fault_.status();
      }
    }
  }
  charset_ = charset;
  if (syntax_version_ >= 4) {
    if (!has_una_) separators_.repetition = '*';
  } else {
    separators_.repetition = 0;  // position 5 of UNA is reserved before version 4
  }
  rebuild_classes();
  return check_values(charset_);
}

Status Lexer::complete(SegmentSink& sink) {
  if (segment_index_ == 0 && segment_.tag() == "UNB") {
    SWG_RETURN_IF_ERROR(read_header());
  } else if (charset_ == Charset::kUnow) {
    SWG_RETURN_IF_ERROR(check_values(charset_));
  }
  segment_index_ = info_.index;
  return sink.segment(segment_, info_);
}

}  // namespace swg::edifact
