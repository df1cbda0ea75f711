#pragma once
// Errors are values. A Status is either OK or carries:
//   - a canonical code that tells the engine what to do (reject, retry, stop),
//   - a stable reason code (e.g. "XML_DOCTYPE_FORBIDDEN") that partners and operators match on,
//   - a human message, and
//   - where in the input the problem is (line, column, element path or segment position).
// The OK status allocates nothing; an error holds one heap block. Not thread-safe to mutate;
// safe to copy and move between threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace swg {

/// What the engine does with an error (see STYLE.md §3).
enum class StatusCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument,   ///< bad input from a partner: reject with a precise reason
  kUnauthenticated,   ///< signature or identity not proven: reject
  kPermissionDenied,  ///< proven, but not allowed: reject
  kNotFound,
  kAlreadyExists,
  kResourceExhausted,   ///< a configured limit was exceeded: reject
  kFailedPrecondition,  ///< configuration or state does not allow this
  kUnavailable,         ///< transient: retry with backoff
  kDataLoss,            ///< durable state is damaged: stop and alert
  kInternal,            ///< a broken invariant of our own
  kUnimplemented,
};

/// Name of a canonical code, e.g. "INVALID_ARGUMENT".
std::string_view to_string(StatusCode code);

/// Where an error is in the input. Fields left at zero/empty are unknown.
struct Location {
  std::uint32_t line = 0;    ///< 1-based line, 0 = unknown
  std::uint32_t column = 0;  ///< 1-based column, 0 = unknown
  std::string path;          ///< element path such as /Envelope/Body/Permit/Goods[2]/HsCode

  bool empty() const { return line == 0 && column == 0 && path.empty(); }
};

class [[nodiscard]] Status {
 public:
  /// OK.
  Status() = default;
  /// An error. `reason` is a stable SCREAMING_SNAKE code; `code` must not be kOk.
  Status(StatusCode code, std::string reason, std::string message, Location where = {});

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  /// Stable reason code; "OK" when ok().
  std::string_view reason() const;
  std::string_view message() const;
  const Location& location() const;

  /// Fills in location fields that are still unknown; no-op on OK.
  Status& locate(const Location& where);
  /// Prefixes the message with context ("reading x.xml: ..."); no-op on OK.
  Status& annotate(std::string_view context);

  /// "REASON at line:col path: message", for logs and tests.
  std::string to_string() const;

 private:
  struct Rep {
    StatusCode code;
    std::string reason;
    std::string message;
    Location where;
  };
  std::unique_ptr<Rep> rep_;
};

inline Status ok_status() {
  return Status();
}
Status invalid_argument(std::string reason, std::string message, Location where = {});
Status resource_exhausted(std::string reason, std::string message, Location where = {});
Status failed_precondition(std::string reason, std::string message);
Status internal_error(std::string message);
Status unavailable(std::string reason, std::string message);

/// A value or the error that prevented it. Accessing value() of an error aborts.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : state_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(state_).ok())
      state_ = Status(StatusCode::kInternal, "INTERNAL", "OK status used as error");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return checked(); }
  const T& value() const& { return const_cast<StatusOr*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return const_cast<StatusOr*>(this)->checked(); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<StatusOr*>(this)->checked(); }

 private:
  T& checked();
  std::variant<Status, T> state_;
};

[[noreturn]] void assert_fail(const char* expr, const char* file, int line, std::string_view what);

template <typename T>
T& StatusOr<T>::checked() {
  if (!ok()) assert_fail("ok()", __FILE__, __LINE__, std::get<Status>(state_).to_string());
  return std::get<T>(state_);
}

}  // namespace swg

/// Aborts on a broken invariant of our own. Never use on external input (STYLE.md §4).
#define SWG_ASSERT(cond)                                            \
  do {                                                              \
    if (!(cond)) ::swg::assert_fail(#cond, __FILE__, __LINE__, {}); \
  } while (0)

/// Returns the status from the enclosing function if it is an error.
#define SWG_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::swg::Status swg_status_ = (expr);        \
    if (!swg_status_.ok()) return swg_status_; \
  } while (0)
