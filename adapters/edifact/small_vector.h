#pragma once
// A vector of trivially copyable values that keeps its first N values inline. Segment holds its
// index arrays in these: nearly every segment fits, so copying a parsed segment into the tree
// allocates for its values only, not for three index arrays as well.

#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace swg::edifact {

template <typename T, std::uint32_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  SmallVector() = default;
  SmallVector(const SmallVector& other) { copy_from(other); }
  SmallVector(SmallVector&& other) noexcept { move_from(other); }
  SmallVector& operator=(const SmallVector& other) {
    if (this != &other) {
      size_ = 0;
      copy_from(other);
    }
    return *this;
  }
  SmallVector& operator=(SmallVector&& other) noexcept {
    if (this != &other) {
      heap_.reset();
      data_ = inline_;
      capacity_ = N;
      move_from(other);
    }
    return *this;
  }
  ~SmallVector() = default;

  std::uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }
  const T& operator[](std::uint32_t i) const { return data()[i]; }
  T& operator[](std::uint32_t i) { return data()[i]; }
  const T& back() const { return data()[size_ - 1]; }
  void pop_back() { --size_; }
  void push_back(const T& value) {
    if (size_ == capacity_) grow();
    data()[size_++] = value;
  }

 private:
  const T* data() const { return data_; }
  T* data() { return data_; }

  void grow() {
    auto bigger = std::make_unique<T[]>(capacity_ * 2);
    std::memcpy(bigger.get(), data(), size_ * sizeof(T));
    heap_ = std::move(bigger);
    data_ = heap_.get();
    capacity_ *= 2;
  }
  // Copies are compact: a copy that fits inline stays inline whatever the source's capacity.
  void copy_from(const SmallVector& other) {
    if (other.size_ > capacity_) {
      heap_ = std::make_unique<T[]>(other.size_);
      data_ = heap_.get();
      capacity_ = other.size_;
    }
    std::memcpy(data(), other.data(), other.size_ * sizeof(T));
    size_ = other.size_;
  }
  void move_from(SmallVector& other) {
    if (other.heap_) {
      heap_ = std::move(other.heap_);
      data_ = heap_.get();
      other.data_ = other.inline_;
      capacity_ = other.capacity_;
    } else {
      std::memcpy(inline_, other.inline_, other.size_ * sizeof(T));
    }
    size_ = other.size_;
    other.size_ = 0;
    other.capacity_ = N;
  }

  T inline_[N];
  std::unique_ptr<T[]> heap_;
  T* data_ = inline_;  // inline_ or heap_.get(): one load per access, no test
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = N;
};

}  // namespace swg::edifact
