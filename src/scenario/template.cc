#include "scenario/template.h"

#include <array>
#include <cctype>
#include <cstdlib>

namespace dozvon {
namespace {

// Russian ordinals in the genitive case, as in "первого декабря" (1..31) and year endings.
constexpr std::array<std::string_view, 20> kRuOrdGenUnits = {"",
                                                             "первого",
                                                             "второго",
                                                             "третьего",
                                                             "четвёртого",
                                                             "пятого",
                                                             "шестого",
                                                             "седьмого",
                                                             "восьмого",
                                                             "девятого",
                                                             "десятого",
                                                             "одиннадцатого",
                                                             "двенадцатого",
                                                             "тринадцатого",
                                                             "четырнадцатого",
                                                             "пятнадцатого",
                                                             "шестнадцатого",
                                                             "семнадцатого",
                                                             "восемнадцатого",
                                                             "девятнадцатого"};
constexpr std::array<std::string_view, 10> kRuOrdGenTens = {"",
                                                            "",
                                                            "двадцатого",
                                                            "тридцатого",
                                                            "сорокового",
                                                            "пятидесятого",
                                                            "шестидесятого",
                                                            "семидесятого",
                                                            "восьмидесятого",
                                                            "девяностого"};
constexpr std::array<std::string_view, 10> kRuTens = {
    "",          "",           "двадцать",  "тридцать",    "сорок",
    "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"};
// Feminine cardinals (копейка is feminine): "одна копейка", "две копейки".
constexpr std::array<std::string_view, 20> kRuFemUnits = {
    "ноль",       "одна",        "две",        "три",          "четыре",
    "пять",       "шесть",       "семь",       "восемь",       "девять",
    "десять",     "одиннадцать", "двенадцать", "тринадцать",   "четырнадцать",
    "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"};
constexpr std::array<std::string_view, 13> kRuMonthsGen = {
    "",     "января",  "февраля",  "марта",   "апреля", "мая",    "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря"};
constexpr std::array<std::string_view, 13> kEnMonths = {
    "",     "January", "February",  "March",   "April",    "May",     "June",
    "July", "August",  "September", "October", "November", "December"};
constexpr std::array<std::string_view, 32> kEnOrd = {"",
                                                     "first",
                                                     "second",
                                                     "third",
                                                     "fourth",
                                                     "fifth",
                                                     "sixth",
                                                     "seventh",
                                                     "eighth",
                                                     "ninth",
                                                     "tenth",
                                                     "eleventh",
                                                     "twelfth",
                                                     "thirteenth",
                                                     "fourteenth",
                                                     "fifteenth",
                                                     "sixteenth",
                                                     "seventeenth",
                                                     "eighteenth",
                                                     "nineteenth",
                                                     "twentieth",
                                                     "twenty-first",
                                                     "twenty-second",
                                                     "twenty-third",
                                                     "twenty-fourth",
                                                     "twenty-fifth",
                                                     "twenty-sixth",
                                                     "twenty-seventh",
                                                     "twenty-eighth",
                                                     "twenty-ninth",
                                                     "thirtieth",
                                                     "thirty-first"};

std::string RuOrdinalGenitive(int n) {  // 1..99
  if (n < 20) return std::string(kRuOrdGenUnits[n]);
  if (n % 10 == 0) return std::string(kRuOrdGenTens[n / 10]);
  return std::string(kRuTens[n / 10]) + " " + std::string(kRuOrdGenUnits[n % 10]);
}

std::string RuFeminine(int n) {  // 0..99
  if (n < 20) return std::string(kRuFemUnits[n]);
  if (n % 10 == 0) return std::string(kRuTens[n / 10]);
  return std::string(kRuTens[n / 10]) + " " + std::string(kRuFemUnits[n % 10]);
}

std::string RuYearGenitive(int y) {
  // "две тысячи двадцать шестого года"; other centuries are left as digits + "года".
  if (y == 2000) return "двухтысячного года";
  if (y > 2000 && y < 2100) return "две тысячи " + RuOrdinalGenitive(y - 2000) + " года";
  return std::to_string(y) + " года";
}

// Russian plural form: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль.
std::string_view RuPlural(long long n, std::string_view one, std::string_view few,
                          std::string_view many) {
  long long m100 = n % 100, m10 = n % 10;
  if (m100 >= 11 && m100 <= 14) return many;
  if (m10 == 1) return one;
  if (m10 >= 2 && m10 <= 4) return few;
  return many;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int ToInt(std::string_view s) { return std::atoi(std::string(s).c_str()); }

// 2026-12-01 or 01.12.2026 -> (y, m, d); false when the value is not a date.
bool ParseDate(std::string_view v, int* y, int* m, int* d) {
  if (v.size() == 10 && v[4] == '-' && v[7] == '-' && AllDigits(v.substr(0, 4)) &&
      AllDigits(v.substr(5, 2)) && AllDigits(v.substr(8, 2))) {
    *y = ToInt(v.substr(0, 4)), *m = ToInt(v.substr(5, 2)), *d = ToInt(v.substr(8, 2));
  } else {
    size_t a = v.find('.'), b = v.rfind('.');
    if (a == std::string_view::npos || a == b) return false;
    auto ds = v.substr(0, a), ms = v.substr(a + 1, b - a - 1), ys = v.substr(b + 1);
    if (!AllDigits(ds) || !AllDigits(ms) || ys.size() != 4 || !AllDigits(ys) || ds.size() > 2 ||
        ms.size() > 2) {
      return false;
    }
    *y = ToInt(ys), *m = ToInt(ms), *d = ToInt(ds);
  }
  return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31;
}

// "1 500,50" / "1,500.50" / "1500.5" -> whole and hundredths; false when not an amount.
bool ParseAmount(std::string_view v, std::string_view lang, long long* whole, int* cents,
                 bool* has_cents) {
  std::string digits, frac;
  bool in_frac = false;
  // In Russian a comma is the decimal mark; in English it groups thousands.
  char decimal_comma = lang == "ru" ? ',' : 0;
  for (size_t i = 0; i < v.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (std::isdigit(c)) {
      (in_frac ? frac : digits).push_back(static_cast<char>(c));
    } else if ((c == '.' || (decimal_comma && c == ',')) && !in_frac && !digits.empty()) {
      in_frac = true;
    } else if (c == ' ' || c == ',' || c == '\'' || c == '_') {
      if (in_frac) return false;
    } else if (c == 0xC2 && i + 1 < v.size() && static_cast<unsigned char>(v[i + 1]) == 0xA0) {
      ++i;  // no-break space as a thousands separator
    } else {
      return false;
    }
  }
  if (digits.empty() || digits.size() > 15 || frac.size() > 2) return false;
  *whole = std::atoll(digits.c_str());
  *has_cents = !frac.empty();
  if (frac.size() == 1) frac += "0";
  *cents = frac.empty() ? 0 : ToInt(frac);
  return true;
}

std::string Money(long long whole, int cents, bool has_cents, std::string_view lang,
                  std::string currency) {
  if (currency.empty()) currency = lang == "ru" ? "RUB" : "USD";
  std::string out = std::to_string(whole) + " ";
  if (lang == "ru") {
    if (currency == "USD") {
      out += RuPlural(whole, "доллар", "доллара", "долларов");
      if (has_cents)
        out += " " + std::to_string(cents) + " " +
               std::string(RuPlural(cents, "цент", "цента", "центов"));
    } else if (currency == "EUR") {
      out += "евро";
      if (has_cents)
        out += " " + std::to_string(cents) + " " +
               std::string(RuPlural(cents, "цент", "цента", "центов"));
    } else {
      out += RuPlural(whole, "рубль", "рубля", "рублей");
      if (has_cents) {
        out += " " + RuFeminine(cents) + " " +
               std::string(RuPlural(cents, "копейка", "копейки", "копеек"));
      }
    }
    return out;
  }
  auto unit = [](long long n, std::string_view one, std::string_view many) {
    return std::string(n == 1 ? one : many);
  };
  if (currency == "RUB") {
    out += unit(whole, "ruble", "rubles");
    if (has_cents) out += " and " + std::to_string(cents) + " " + unit(cents, "kopeck", "kopecks");
  } else {
    out += currency == "EUR" ? unit(whole, "euro", "euros") : unit(whole, "dollar", "dollars");
    if (has_cents) out += " and " + std::to_string(cents) + " " + unit(cents, "cent", "cents");
  }
  return out;
}

}  // namespace

Result<std::vector<TemplatePart>> ParseTemplate(std::string_view text) {
  std::vector<TemplatePart> parts;
  std::string lit;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      lit.push_back('{');
      ++i;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      lit.push_back('}');
      ++i;
    } else if (c == '{') {
      size_t close = text.find('}', i);
      if (close == std::string_view::npos) {
        return Status::InvalidArgument("unclosed \"{\" at character " + std::to_string(i + 1));
      }
      std::string_view inner = text.substr(i + 1, close - i - 1);
      TemplatePart f{true, std::string(inner), ""};
      if (size_t colon = inner.find(':'); colon != std::string_view::npos) {
        f.text = std::string(inner.substr(0, colon));
        f.format = std::string(inner.substr(colon + 1));
      }
      if (f.text.empty() || f.text.find_first_of(" {") != std::string::npos) {
        return Status::InvalidArgument("\"{" + std::string(inner) + "}\" is not a field name");
      }
      if (!f.format.empty() && f.format != "money" && f.format != "date" && f.format != "number" &&
          f.format != "digits") {
        return Status::InvalidArgument("{" + std::string(inner) + "}: unknown format \"" +
                                       f.format + "\" (money, date, number, digits)");
      }
      if (!lit.empty()) parts.push_back({false, std::move(lit), ""});
      lit.clear();
      parts.push_back(std::move(f));
      i = close;
    } else if (c == '}') {
      return Status::InvalidArgument("stray \"}\" at character " + std::to_string(i + 1));
    } else {
      lit.push_back(c);
    }
  }
  if (!lit.empty()) parts.push_back({false, std::move(lit), ""});
  return parts;
}

std::string SpeakValue(std::string_view value, std::string_view format, std::string_view lang,
                       std::string_view currency) {
  std::string_view l = lang.substr(0, 2);
  if (format == "digits") {
    std::string out;
    for (char c : value) {
      if (!std::isdigit(static_cast<unsigned char>(c))) continue;
      if (!out.empty()) out += ' ';
      out += c;
    }
    return out;
  }
  int y, m, d;
  if ((format.empty() || format == "date") && ParseDate(value, &y, &m, &d)) {
    if (l == "ru") {
      return RuOrdinalGenitive(d) + " " + std::string(kRuMonthsGen[m]) + " " + RuYearGenitive(y);
    }
    return std::string(kEnMonths[m]) + " " + std::string(kEnOrd[d]) + ", " + std::to_string(y);
  }
  long long whole;
  int cents;
  bool has_cents;
  if (format != "date" && ParseAmount(value, l, &whole, &cents, &has_cents)) {
    if (format == "money") return Money(whole, cents, has_cents, l, std::string(currency));
    if (!has_cents) return std::to_string(whole);
    std::string c = std::to_string(cents);
    if (c.size() == 1) c = "0" + c;
    return std::to_string(whole) + (l == "ru" ? "," : ".") + c;
  }
  return std::string(value);
}

std::string RenderTemplate(const std::vector<TemplatePart>& parts, const Fields& fields,
                           std::string_view lang, std::string_view currency) {
  std::string out;
  for (const auto& p : parts) {
    if (!p.is_field) {
      out += p.text;
      continue;
    }
    for (const auto& [name, value] : fields) {
      if (name == p.text) {
        out += SpeakValue(value, p.format, lang, currency);
        break;
      }
    }
  }
  return out;
}

}  // namespace dozvon
