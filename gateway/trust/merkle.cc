// Merkle trees for batch-signed receipts (merkle.h).

#include "gateway/trust/merkle.h"

#include "gateway/trust/digest.h"

namespace swg::trust {
namespace {

std::string node_hash(Hasher& hasher, std::string_view left, std::string_view right) {
  hasher.reset(DigestAlgorithm::kSha256);
  hasher.update(std::string_view("\x01", 1));
  hasher.update(left);
  hasher.update(right);
  return hasher.finish();
}

// The hash of leaves [lo, hi); every leaf in the range gets the sibling at each level appended,
// so that paths come out ordered from the leaf up.
std::string subtree(Hasher& hasher, const std::vector<std::string>& leaves, std::size_t lo,
                    std::size_t hi, MerkleTree* tree) {
  if (hi - lo == 1) return leaves[lo];
  std::size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;  // the largest power of two below the range's size
  const std::string left = subtree(hasher, leaves, lo, lo + k, tree);
  const std::string right = subtree(hasher, leaves, lo + k, hi, tree);
  for (std::size_t i = lo; i < lo + k; ++i) tree->paths[i].push_back(right);
  for (std::size_t i = lo + k; i < hi; ++i) tree->paths[i].push_back(left);
  return node_hash(hasher, left, right);
}

}  // namespace

std::string merkle_leaf_hash(std::string_view data) {
  Hasher hasher(DigestAlgorithm::kSha256);
  hasher.update(std::string_view("\x00", 1));
  hasher.update(data);
  return hasher.finish();
}

MerkleTree merkle_tree(const std::vector<std::string>& leaf_hashes) {
  MerkleTree tree;
  tree.paths.resize(leaf_hashes.size());
  Hasher hasher(DigestAlgorithm::kSha256);
  tree.root = subtree(hasher, leaf_hashes, 0, leaf_hashes.size(), &tree);
  return tree;
}

bool merkle_verify(std::string_view leaf_hash, std::uint64_t leaf_index, std::uint64_t tree_size,
                   const std::vector<std::string>& path, std::string_view root) {
  if (leaf_index >= tree_size) return false;
  std::uint64_t fn = leaf_index;
  std::uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  Hasher hasher(DigestAlgorithm::kSha256);
  for (const std::string& p : path) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(hasher, p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(hasher, r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

}  // namespace swg::trust
