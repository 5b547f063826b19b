#include "symbols.h"

#include <array>
#include <cmath>

namespace qst::sim {
namespace {

constexpr std::array<const char*, 24> kTickers = {
    "BTCUSDT", "ETHUSDT",  "BNBUSDT",   "SOLUSDT", "XRPUSDT", "ADAUSDT",  "DOGEUSDT", "AVAXUSDT",
    "DOTUSDT", "LINKUSDT", "MATICUSDT", "LTCUSDT", "TRXUSDT", "ATOMUSDT", "UNIUSDT",  "ETCUSDT",
    "XLMUSDT", "NEARUSDT", "APTUSDT",   "FILUSDT", "ARBUSDT", "OPUSDT",   "INJUSDT",  "SUIUSDT",
};

std::vector<double> ZipfWeights(std::size_t count, double exponent) {
  std::vector<double> w(count);
  for (std::size_t k = 0; k < count; ++k)
    w[k] = 1.0 / std::pow(static_cast<double>(k + 1), exponent);
  return w;
}

}  // namespace

std::string SymbolName(std::size_t rank) {
  if (rank < kTickers.size()) return kTickers[rank];
  return "SYM" + std::to_string(rank) + "USDT";
}

SymbolSampler::SymbolSampler(std::size_t count, double exponent) {
  const auto w = ZipfWeights(count, exponent);
  dist_ = std::discrete_distribution<std::size_t>(w.begin(), w.end());
  symbols_.reserve(count);
  for (std::size_t k = 0; k < count; ++k) symbols_.push_back(SymbolName(k));
}

}  // namespace qst::sim
