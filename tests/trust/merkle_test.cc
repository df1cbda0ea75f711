// Merkle trees of batch-signed receipts: the RFC 6962 / RFC 9162 reference vectors (the
// Certificate Transparency test leaves), every leaf's proof in every tree size up to 70, and
// proofs that must not verify.

#include "gateway/trust/merkle.h"

#include <catch2/catch.hpp>

#include "gateway/trust/digest.h"

namespace swg::trust {
namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::vector<std::string> reference_leaves() {
  std::vector<std::string> leaves;
  for (const char* data : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                           "606162636465666768696a6b6c6d6e6f"}) {
    leaves.push_back(merkle_leaf_hash(from_hex(data)));
  }
  return leaves;
}

TEST_CASE("tree hashes match the RFC 6962 reference roots for every size from 1 to 8") {
  const char* roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  const auto leaves = reference_leaves();
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    INFO("size " << n);
    const std::vector<std::string> prefix(leaves.begin(), leaves.begin() + n);
    CHECK(to_hex(merkle_tree(prefix).root) == roots[n - 1]);
  }
}

TEST_CASE("inclusion paths match the reference proofs of leaves 0 and 5 in the tree of 8") {
  const MerkleTree tree = merkle_tree(reference_leaves());
  auto hex_path = [&](std::size_t i) {
    std::vector<std::string> out;
    for (const auto& h : tree.paths[i]) out.push_back(to_hex(h));
    return out;
  };
  CHECK(hex_path(0) == std::vector<std::string>{
                           "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  CHECK(hex_path(5) == std::vector<std::string>{
                           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
}

TEST_CASE("every leaf's path verifies in every tree size, and no altered proof does") {
  std::vector<std::string> all;
  for (int i = 0; i < 70; ++i) all.push_back(merkle_leaf_hash("receipt " + std::to_string(i)));
  for (std::size_t n = 1; n <= all.size(); ++n) {
    const std::vector<std::string> leaves(all.begin(), all.begin() + n);
    const MerkleTree tree = merkle_tree(leaves);
    for (std::size_t i = 0; i < n; ++i) {
      INFO("size " << n << ", leaf " << i);
      const auto& path = tree.paths[i];
      REQUIRE(merkle_verify(leaves[i], i, n, path, tree.root));
      // Another leaf's hash, another root, another index, an index outside the tree, a
      // truncated or extended path, a flipped bit: none proves anything. (The size is not
      // varied: a path may hold in a tree of another size, which is why the size is signed.)
      CHECK_FALSE(merkle_verify(leaves[(i + 1) % n] + (n == 1 ? "x" : ""), i, n, path, tree.root));
      CHECK_FALSE(merkle_verify(leaves[i], i, n, path, all[n % all.size()]));
      if (n > 1) CHECK_FALSE(merkle_verify(leaves[i], (i + 1) % n, n, path, tree.root));
      CHECK_FALSE(merkle_verify(leaves[i], n, n, path, tree.root));
      if (!path.empty()) {
        std::vector<std::string> shorter(path.begin(), path.end() - 1);
        CHECK_FALSE(merkle_verify(leaves[i], i, n, shorter, tree.root));
        std::vector<std::string> flipped = path;
        flipped.back()[0] ^= 0x01;
        CHECK_FALSE(merkle_verify(leaves[i], i, n, flipped, tree.root));
      }
      std::vector<std::string> longer = path;
      longer.push_back(tree.root);
      CHECK_FALSE(merkle_verify(leaves[i], i, n, longer, tree.root));
    }
  }
}

}  // namespace
}  // namespace swg::trust
