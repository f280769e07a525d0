#include "app/pace_json.h"

namespace dozvon {
namespace {

using nlohmann::json;

Status Number(const json& j, const char* key, double* out, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(std::string("field \"") + key + "\": missing");
    return Status::Ok();
  }
  if (!it->is_number()) {
    return Status::InvalidArgument(std::string("field \"") + key + "\": expected a number");
  }
  *out = it->get<double>();
  if (!std::isfinite(*out)) {
    return Status::InvalidArgument(std::string("field \"") + key + "\": not finite");
  }
  return Status::Ok();
}

Status Count(const json& j, const char* key, int* out, bool required) {
  double v = 0;
  DZ_RETURN_IF_ERROR(Number(j, key, &v, required));
  if (v < 0 || v > 1e7) {
    return Status::InvalidArgument(std::string("field \"") + key + "\": out of range");
  }
  if (j.contains(key)) *out = static_cast<int>(v);
  return Status::Ok();
}

Status List(const json& j, const char* key, std::vector<double>* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) {
    return Status::InvalidArgument(std::string("field \"") + key + "\": expected a list");
  }
  out->clear();
  out->reserve(it->size());
  for (const auto& v : *it) {
    if (!v.is_number()) {
      return Status::InvalidArgument(std::string("field \"") + key + "\": expected numbers");
    }
    out->push_back(v.get<double>());
  }
  return Status::Ok();
}

void OptNumber(const json& j, const char* key, std::optional<double>* out) {
  auto it = j.find(key);
  if (it != j.end() && it->is_number()) *out = it->get<double>();
}

void IntNumber(const json& j, const char* key, int64_t* out) {
  auto it = j.find(key);
  if (it != j.end() && it->is_number()) *out = it->get<int64_t>();
}

}  // namespace

Status ParseSnapshot(const json& j, PacerSnapshot* s, PacerMemo* memo) {
  if (!j.is_object()) return Status::InvalidArgument("expected a JSON object");
  DZ_RETURN_IF_ERROR(Number(j, "t", &s->t, true));
  DZ_RETURN_IF_ERROR(Count(j, "n_agents", &s->n_agents, true));
  DZ_RETURN_IF_ERROR(Count(j, "idle", &s->idle, true));
  DZ_RETURN_IF_ERROR(Count(j, "queued", &s->queued, false));
  DZ_RETURN_IF_ERROR(List(j, "idle_elapsed", &s->idle_elapsed));
  DZ_RETURN_IF_ERROR(List(j, "talk_elapsed", &s->talk_elapsed));
  DZ_RETURN_IF_ERROR(List(j, "wrap_elapsed", &s->wrap_elapsed));
  DZ_RETURN_IF_ERROR(List(j, "ringing_elapsed", &s->ringing_elapsed));
  DZ_RETURN_IF_ERROR(List(j, "queued_elapsed", &s->queued_elapsed));
  if (auto c = j.find("config"); c != j.end() && c->is_object()) {
    DZ_RETURN_IF_ERROR(Number(*c, "connect_limit", &s->connect_limit, false));
    DZ_RETURN_IF_ERROR(Number(*c, "no_answer_timeout", &s->no_answer_timeout, false));
    DZ_RETURN_IF_ERROR(Number(*c, "tick", &s->tick, false));
  }
  if (auto st = j.find("stats"); st != j.end() && st->is_object()) {
    PacerStats& x = s->stats;
    OptNumber(*st, "answer_rate", &x.answer_rate);
    IntNumber(*st, "n_outcomes", &x.n_outcomes);
    OptNumber(*st, "mean_ring", &x.mean_ring);
    OptNumber(*st, "sd_ring", &x.sd_ring);
    IntNumber(*st, "n_ring", &x.n_ring);
    OptNumber(*st, "mean_talk", &x.mean_talk);
    OptNumber(*st, "sd_talk", &x.sd_talk);
    IntNumber(*st, "n_talk", &x.n_talk);
    OptNumber(*st, "mean_wrap", &x.mean_wrap);
    OptNumber(*st, "sd_wrap", &x.sd_wrap);
    IntNumber(*st, "n_wrap", &x.n_wrap);
    IntNumber(*st, "dials", &x.dials);
    IntNumber(*st, "answered", &x.answered);
    IntNumber(*st, "connected", &x.connected);
    IntNumber(*st, "abandoned", &x.abandoned);
  }
  if (auto ev = j.find("events"); ev != j.end() && ev->is_array()) {
    for (const auto& e : *ev) {
      if (!e.is_object() || !e.contains("type") || !e["type"].is_string()) continue;
      const std::string type = e["type"];
      PacerEvent pe{PacerEventType::kAnswer, 0};
      const char* value_key = "ring";
      if (type == "answer") {
        pe.type = PacerEventType::kAnswer;
      } else if (type == "fail") {
        pe.type = PacerEventType::kFail;
        value_key = "after";
      } else if (type == "abandon") {
        pe.type = PacerEventType::kAbandon;
        value_key = "";
      } else if (type == "talk_end") {
        pe.type = PacerEventType::kTalkEnd;
        value_key = "talk";
      } else if (type == "wrap_end") {
        pe.type = PacerEventType::kWrapEnd;
        value_key = "wrap";
      } else {
        continue;  // unknown event types are ignored, like unknown keys
      }
      if (*value_key && e.contains(value_key) && e[value_key].is_number()) {
        pe.value = e[value_key].get<double>();
      }
      s->events.push_back(pe);
    }
  }
  if (auto m = j.find("memo"); m != j.end() && m->is_object()) {
    if (auto g = m->find("gain"); g != m->end() && g->is_number()) memo->gain = *g;
    if (auto l = m->find("last_adjust"); l != m->end() && l->is_number()) memo->last_adjust = *l;
    if (auto h = m->find("hours"); h != m->end() && h->is_array()) {
      for (const auto& b : *h) {
        if (b.is_array() && b.size() == 3 && b[0].is_number() && b[1].is_number() &&
            b[2].is_number()) {
          memo->hours.push_back({b[0].get<int64_t>(), b[1].get<int64_t>(), b[2].get<int64_t>()});
        }
      }
    }
  }
  return Status::Ok();
}

json MemoToJson(const PacerMemo& memo) {
  json hours = json::array();
  for (const auto& b : memo.hours) hours.push_back({b.hour, b.answered, b.abandoned});
  return {{"gain", memo.gain}, {"last_adjust", memo.last_adjust}, {"hours", hours}};
}

json AuditRecord(const PacerSnapshot& s, const PacerMemo& memo, const PacerDecision& d) {
  int64_t answered = 0, abandoned = 0;
  for (const auto& b : memo.hours) {
    answered += b.answered;
    abandoned += b.abandoned;
  }
  json j = {{"t", s.t},
            {"n_agents", s.n_agents},
            {"idle", s.idle},
            {"talking", s.talk_elapsed.size()},
            {"wrapping", s.wrap_elapsed.size()},
            {"ringing", s.ringing_elapsed.size()},
            {"queued", s.queued},
            {"answer_rate", s.stats.answer_rate ? json(*s.stats.answer_rate) : json(nullptr)},
            {"window_answered", answered},
            {"window_abandoned", abandoned},
            {"dial", d.dial},
            {"expected_abandon", d.expected_abandon},
            {"cap", d.cap},
            {"mode", d.mode}};
  return j;
}

}  // namespace dozvon
