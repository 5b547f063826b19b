// The simulator's symbol universe: real-looking tickers with a skewed
// (Zipf-like) popularity, drawn from a seeded generator so runs repeat.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace qst::sim {

class SymbolSampler {
 public:
  // `count` symbols; popularity of rank k is proportional to 1 / k^exponent.
  SymbolSampler(std::size_t count, double exponent);

  const std::string& Sample(std::mt19937_64& rng) { return symbols_[dist_(rng)]; }
  const std::vector<std::string>& symbols() const { return symbols_; }
  // Share of all draws that rank `rank` (0-based) gets.
  double Share(std::size_t rank) const { return dist_.probabilities()[rank]; }

 private:
  std::vector<std::string> symbols_;
  std::discrete_distribution<std::size_t> dist_;
};

// Name of the symbol at `rank` (0-based): real tickers first, then SYM<n>USDT.
std::string SymbolName(std::size_t rank);

}  // namespace qst::sim
