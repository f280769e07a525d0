// How long one engine fetch of due contacts takes on a large list: DueContacts(limit 1001, as
// serve asks at 500 CPS) five times, alternating new_first. Usage: due DB LIST
#include <chrono>
#include <cstdio>

#include "store/sqlite/sqlite_store.h"

int main(int argc, char** argv) {
  using namespace dozvon;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DB LIST\n", argv[0]);
    return 2;
  }
  auto store = SqliteStore::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().message().c_str());
    return 1;
  }
  const Instant now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  CampaignRecord rec{0, "due-bench", "name = \"due-bench\"", "draft", {argv[2]}};
  auto id = (*store)->UpsertCampaign(rec, now);
  if (!id.ok()) {
    std::fprintf(stderr, "%s\n", id.status().message().c_str());
    return 1;
  }
  for (int i = 0; i < 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto due = (*store)->DueContacts(*id, now, 1001, i % 2 == 1);
    auto t1 = std::chrono::steady_clock::now();
    if (!due.ok()) {
      std::fprintf(stderr, "%s\n", due.status().message().c_str());
      return 1;
    }
    std::printf("due_rows=%zu ms=%.1f\n", due->size(),
                std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return 0;
}
