#pragma once
// Metrics every component can record and the admin endpoint exposes in the Prometheus text
// format (version 0.0.4): counters, gauges and histograms, each a family with fixed label names
// whose series are created on first use. Recording is lock-free after a series exists (atomics);
// creating a series and rendering take the family's mutex. Thread-safe throughout.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace swg::metrics {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

/// Observations in seconds into fixed upper bounds (cumulative buckets when rendered).
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void observe(double seconds);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  /// Per bucket (not cumulative), the last one +Inf.
  std::vector<std::uint64_t> buckets() const;
  double sum() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_nanos_{0};
};

/// Latency buckets from 100 µs to 10 s, for per-stage histograms.
const std::vector<double>& latency_bounds();

enum class Kind { kCounter, kGauge, kHistogram };

/// One metric family: a name, help text, label names, and its series by label values.
template <typename Series>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        bounds_(std::move(bounds)) {}
  /// The series for `values` (one per label name, in order), created on first use. The reference
  /// stays valid as long as the family.
  Series& with(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  /// Calls `f(values, series)` for every series, in label order.
  template <typename F>
  void each(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, series] : series_) f(values, *series);
  }

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

/// All families of one process. Families are registered at start-up (explicit wiring) and live
/// as long as the registry.
class Registry {
 public:
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> labels = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> labels = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               std::vector<std::string> labels = {},
                               std::vector<double> bounds = latency_bounds());
  /// Every family in the Prometheus text format, in registration order.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_;
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_;
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_;
  std::vector<std::pair<Kind, std::size_t>> order_;
};

}  // namespace swg::metrics
