#include "dedup_window.h"

namespace parley::processor {

DedupWindow::DedupWindow(absl::Duration window, size_t max_entries)
    : window_(window), max_entries_(max_entries) {}

DedupWindow::Admission DedupWindow::Admit(const std::string& message_id,
                                          pipeline::OutcomeCallback& done, absl::Time now) {
  std::optional<pipeline::Commit> commit;
  {
    parley::MutexLock lock(&mu_);
    Evict(now);
    auto [it, inserted] = entries_.try_emplace(message_id);
    if (inserted) {
      it->second.waiters.push_back(std::move(done));
      return Admission::kNew;
    }
    if (!it->second.commit.has_value() || !it->second.waiters.empty()) {
      it->second.waiters.push_back(std::move(done));
      return Admission::kJoined;
    }
    commit = it->second.commit;
  }
  done(*commit);
  return Admission::kCommitted;
}

void DedupWindow::Resolve(const std::string& message_id, const pipeline::Result& result,
                          absl::Time now) {
  std::vector<pipeline::OutcomeCallback> waiters;
  {
    parley::MutexLock lock(&mu_);
    auto it = entries_.find(message_id);
    if (it == entries_.end()) return;
    waiters = std::move(it->second.waiters);
    if (result.ok()) {
      it->second.commit = *result;
      committed_.emplace_back(now, message_id);
      Evict(now);
    } else {
      entries_.erase(it);
    }
  }
  for (pipeline::OutcomeCallback& waiter : waiters) waiter(result);
}

void DedupWindow::Remember(const std::string& message_id, const pipeline::Commit& commit,
                           absl::Time now) {
  std::vector<pipeline::OutcomeCallback> waiters;
  {
    parley::MutexLock lock(&mu_);
    auto [it, inserted] = entries_.try_emplace(message_id);
    if (it->second.commit.has_value()) return;
    // A copy admitted before recovery finished gets the earlier commit.
    waiters = std::move(it->second.waiters);
    it->second.waiters.clear();
    it->second.commit = commit;
    committed_.emplace_back(now, message_id);
    Evict(now);
  }
  for (pipeline::OutcomeCallback& waiter : waiters) waiter(commit);
}

bool DedupWindow::InFlight(const std::string& message_id) const {
  parley::MutexLock lock(&mu_);
  auto it = entries_.find(message_id);
  return it != entries_.end() && !it->second.commit.has_value();
}

size_t DedupWindow::size() const {
  parley::MutexLock lock(&mu_);
  return entries_.size();
}

void DedupWindow::Evict(absl::Time now) {
  while (!committed_.empty() &&
         (committed_.front().first + window_ <= now || committed_.size() > max_entries_)) {
    entries_.erase(committed_.front().second);
    committed_.pop_front();
  }
}

}  // namespace parley::processor
