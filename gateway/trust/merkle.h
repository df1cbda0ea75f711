#pragma once
// Merkle trees over SHA-256 as RFC 9162 §2.1 defines them: leaf hash SHA-256(0x00 || data),
// interior node SHA-256(0x01 || left || right), a tree of n leaves split at the largest power
// of two below n. Used to sign a batch of receipts once and give each its inclusion proof.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace swg::trust {

/// The leaf hash of `data` (32 bytes).
std::string merkle_leaf_hash(std::string_view data);

struct MerkleTree {
  std::string root;                            ///< the tree hash (32 bytes)
  std::vector<std::vector<std::string>> paths;  ///< per leaf, sibling hashes from leaf to root
};

/// The tree over `leaf_hashes` (at least one), with every leaf's inclusion path: n - 1 interior
/// hashes in all. Precondition: !leaf_hashes.empty().
MerkleTree merkle_tree(const std::vector<std::string>& leaf_hashes);

/// Whether `path` proves that `leaf_hash` is leaf `leaf_index` of a tree of `tree_size` leaves
/// whose hash is `root` (RFC 9162 §2.1.3.2). False for an index outside the tree, a path of the
/// wrong length, or any hash that does not match.
bool merkle_verify(std::string_view leaf_hash, std::uint64_t leaf_index, std::uint64_t tree_size,
                   const std::vector<std::string>& path, std::string_view root);

}  // namespace swg::trust
