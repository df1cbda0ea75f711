// Metrics and their Prometheus text rendering (metrics.h).

#include "gateway/core/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace swg::metrics {
namespace {

// Label values escape backslash, double quote and line feed (text format 0.0.4).
std::string escaped(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const std::string& extra = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + escaped(values[i]) + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double seconds) {
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin();
  counts_[static_cast<std::size_t>(at)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e9),
                       std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::buckets() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

double Histogram::sum() const {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

const std::vector<double>& latency_bounds() {
  static const std::vector<double> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                              1,      2.5,     5,      10};
  return kBounds;
}

template <typename Series>
Series& Family<Series>::with(const std::vector<std::string>& values) {
  std::lock_guard lock(mutex_);
  auto& slot = series_[values];
  if (!slot) {
    if constexpr (std::is_same_v<Series, Histogram>) {
      slot = std::make_unique<Histogram>(bounds_);
    } else {
      slot = std::make_unique<Series>();
    }
  }
  return *slot;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  counters_.push_back(std::make_unique<Family<Counter>>(name, help, std::move(labels)));
  order_.emplace_back(Kind::kCounter, counters_.size() - 1);
  return *counters_.back();
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  gauges_.push_back(std::make_unique<Family<Gauge>>(name, help, std::move(labels)));
  order_.emplace_back(Kind::kGauge, gauges_.size() - 1);
  return *gauges_.back();
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels,
                                       std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  histograms_.push_back(
      std::make_unique<Family<Histogram>>(name, help, std::move(labels), std::move(bounds)));
  order_.emplace_back(Kind::kHistogram, histograms_.size() - 1);
  return *histograms_.back();
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [kind, index] : order_) {
    if (kind == Kind::kCounter) {
      const auto& f = *counters_[index];
      header(out, f.name(), f.help(), "counter");
      f.each([&](const auto& values, const Counter& c) {
        out += f.name() + label_set(f.labels(), values) + " " + std::to_string(c.value()) + "\n";
      });
    } else if (kind == Kind::kGauge) {
      const auto& f = *gauges_[index];
      header(out, f.name(), f.help(), "gauge");
      f.each([&](const auto& values, const Gauge& g) {
        out += f.name() + label_set(f.labels(), values) + " " + std::to_string(g.value()) + "\n";
      });
    } else {
      const auto& f = *histograms_[index];
      header(out, f.name(), f.help(), "histogram");
      f.each([&](const auto& values, const Histogram& h) {
        const auto buckets = h.buckets();
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < buckets.size(); ++i) {
          cumulative += buckets[i];
          const double le = i < h.bounds().size() ? h.bounds()[i] : INFINITY;
          out += f.name() + "_bucket" + label_set(f.labels(), values, "le=\"" + number(le) + "\"") +
                 " " + std::to_string(cumulative) + "\n";
        }
        out += f.name() + "_sum" + label_set(f.labels(), values) + " " + number(h.sum()) + "\n";
        out += f.name() + "_count" + label_set(f.labels(), values) + " " +
               std::to_string(cumulative) + "\n";
      });
    }
  }
  return out;
}

}  // namespace swg::metrics
