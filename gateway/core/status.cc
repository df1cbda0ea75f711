#include "gateway/core/status.h"

#include <cstdio>
#include <cstdlib>

namespace swg {

std::string_view to_string(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string reason, std::string message, Location where)
    : rep_(std::make_unique<Rep>(Rep{code == StatusCode::kOk ? StatusCode::kInternal : code,
                                     std::move(reason), std::move(message), std::move(where)})) {}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

std::string_view Status::reason() const {
  return rep_ ? std::string_view(rep_->reason) : "OK";
}

std::string_view Status::message() const {
  return rep_ ? std::string_view(rep_->message) : "";
}

const Location& Status::location() const {
  static const Location kNowhere;
  return rep_ ? rep_->where : kNowhere;
}

Status& Status::locate(const Location& where) {
  if (!rep_) return *this;
  if (rep_->where.line == 0) {
    rep_->where.line = where.line;
    rep_->where.column = where.column;
  }
  if (rep_->where.path.empty()) rep_->where.path = where.path;
  return *this;
}

Status& Status::annotate(std::string_view context) {
  if (rep_) rep_->message = std::string(context) + ": " + rep_->message;
  return *this;
}

std::string Status::to_string() const {
  if (!rep_) return "OK";
  std::string out(rep_->reason);
  if (rep_->where.line != 0) {
    out += " at " + std::to_string(rep_->where.line) + ":" + std::to_string(rep_->where.column);
  }
  if (!rep_->where.path.empty()) out += " " + rep_->where.path;
  out += ": " + rep_->message;
  return out;
}

Status invalid_argument(std::string reason, std::string message, Location where) {
  return Status(StatusCode::kInvalidArgument, std::move(reason), std::move(message),
                std::move(where));
}
Status resource_exhausted(std::string reason, std::string message, Location where) {
  return Status(StatusCode::kResourceExhausted, std::move(reason), std::move(message),
                std::move(where));
}
Status failed_precondition(std::string reason, std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(reason), std::move(message));
}
Status internal_error(std::string message) {
  return Status(StatusCode::kInternal, "INTERNAL", std::move(message));
}
Status unavailable(std::string reason, std::string message) {
  return Status(StatusCode::kUnavailable, std::move(reason), std::move(message));
}

void assert_fail(const char* expr, const char* file, int line, std::string_view what) {
  std::fprintf(stderr, "swg: invariant broken: %s at %s:%d %.*s\n", expr, file, line,
               static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace swg
