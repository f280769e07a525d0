#include "core/campaign/success.h"

#include <cmath>
#include <sstream>

namespace dozvon {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool IsName(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  }
  return true;
}

bool TermMet(const SuccessTerm& t, const CallFacts& f) {
  switch (t.kind) {
    case SuccessTerm::Kind::kHeard:
      // "heard" means to the end; a share is compared with a little slack for frame rounding.
      return t.min_fraction >= 1.0 ? f.heard_to_end : f.heard_fraction + 1e-9 >= t.min_fraction;
    case SuccessTerm::Kind::kPressed:
      return f.dtmf.find(t.digit) != std::string::npos;
    case SuccessTerm::Kind::kVar: {
      auto it = f.vars.find(t.var);
      return it != f.vars.end() && it->second == t.value;
    }
  }
  return false;
}

}  // namespace

SuccessRule::SuccessRule() : any_of_{{SuccessTerm{}}}, text_("heard") {}

Result<SuccessRule> SuccessRule::Parse(std::string_view text) {
  std::vector<std::string> w = Words(text);
  if (w.empty()) return Status::InvalidArgument("empty success rule");
  SuccessRule r;
  r.any_of_.assign(1, {});
  r.text_ = std::string(text);
  size_t i = 0;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("\"" + std::string(text) + "\": " + why +
                                   " (expected heard, heard >= N%, pressed D or VAR = VALUE, "
                                   "joined by and / or)");
  };
  while (true) {
    if (i >= w.size()) return bad("a term is missing at the end");
    SuccessTerm t;
    if (w[i] == "heard") {
      ++i;
      if (i < w.size() && w[i] == ">=") {
        if (i + 1 >= w.size()) return bad("a share is missing after >=");
        std::string pct = w[i + 1];
        if (pct.empty() || pct.back() != '%') return bad("\"" + pct + "\" is not a share like 90%");
        pct.pop_back();
        char* end = nullptr;
        double v = std::strtod(pct.c_str(), &end);
        if (pct.empty() || *end || v <= 0 || v > 100) {
          return bad("\"" + w[i + 1] + "\" is not a share between 1% and 100%");
        }
        t.min_fraction = v / 100.0;
        i += 2;
      }
    } else if (w[i] == "pressed") {
      if (i + 1 >= w.size() || w[i + 1].size() != 1 ||
          std::string_view("0123456789*#ABCD").find(w[i + 1][0]) == std::string_view::npos) {
        return bad("pressed needs one key: 0-9, *, #");
      }
      t.kind = SuccessTerm::Kind::kPressed;
      t.digit = w[i + 1][0];
      i += 2;
    } else if (IsName(w[i]) && i + 2 < w.size() && w[i + 1] == "=") {
      t.kind = SuccessTerm::Kind::kVar;
      t.var = w[i];
      t.value = w[i + 2];
      i += 3;
    } else {
      return bad("\"" + w[i] + "\" is not a term");
    }
    r.any_of_.back().push_back(std::move(t));
    if (i == w.size()) break;
    if (w[i] == "or") {
      r.any_of_.emplace_back();
    } else if (w[i] != "and") {
      return bad("expected and / or before \"" + w[i] + "\"");
    }
    ++i;
  }
  return r;
}

bool SuccessRule::Met(const CallFacts& facts) const {
  for (const auto& all : any_of_) {
    bool ok = true;
    for (const auto& t : all) ok = ok && TermMet(t, facts);
    if (ok) return true;
  }
  return false;
}

std::string SuccessRule::Shortfall(const CallFacts& facts) const {
  int pct = static_cast<int>(std::lround(facts.heard_fraction * 100));
  std::string s = "not a success (" + text_ + "): heard " + std::to_string(pct) + "%";
  s += facts.dtmf.empty() ? ", no keys" : ", keys " + facts.dtmf;
  return s;
}

std::vector<std::string> SuccessRule::Vars() const {
  std::vector<std::string> out;
  for (const auto& all : any_of_) {
    for (const auto& t : all) {
      if (t.kind == SuccessTerm::Kind::kVar) out.push_back(t.var);
    }
  }
  return out;
}

std::vector<std::string> SuccessRule::VarTerms() const {
  std::vector<std::string> out;
  for (const auto& all : any_of_) {
    for (const auto& t : all) {
      if (t.kind == SuccessTerm::Kind::kVar) out.push_back(t.var + "=" + t.value);
    }
  }
  return out;
}

}  // namespace dozvon
