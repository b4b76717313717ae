// CertificateLink (see certificate_link.h): two one-way mailboxes under one mutex. Nothing here
// calls out except the instance's wake function, which only writes to an eventfd.
#include "transport/certificate_link.h"

namespace outpost::transport {

void CertificateLink::wakeLocked() {
  has_mail_ = true;
  if (wake_) wake_();
}

void CertificateLink::setSession(const Session& s) {
  std::lock_guard<std::mutex> l(mu_);
  mail_.session = s;
  mail_.session->attached = true;
  wakeLocked();
}

void CertificateLink::detachSession() {
  std::lock_guard<std::mutex> l(mu_);
  mail_.session = Session{};
  request_.reset();
  wakeLocked();
}

std::optional<std::vector<uint8_t>> CertificateLink::takeRequest() {
  std::lock_guard<std::mutex> l(mu_);
  auto r = std::move(request_);
  request_.reset();
  return r;
}

void CertificateLink::deliver(Grant g) {
  std::lock_guard<std::mutex> l(mu_);
  mail_.grants.push_back(std::move(g));
  wakeLocked();
}

void CertificateLink::revoked(std::vector<cert::Revocation> r) {
  if (r.empty()) return;
  std::lock_guard<std::mutex> l(mu_);
  mail_.revocations.insert(mail_.revocations.end(), r.begin(), r.end());
  wakeLocked();
}

void CertificateLink::setWake(std::function<void()> wake) {
  std::lock_guard<std::mutex> l(mu_);
  wake_ = std::move(wake);
}

void CertificateLink::post(std::vector<uint8_t> request) {
  std::lock_guard<std::mutex> l(mu_);
  request_ = std::move(request);
}

void CertificateLink::withdraw() {
  std::lock_guard<std::mutex> l(mu_);
  request_.reset();
  mail_.grants.clear();
}

CertificateLink::Mail CertificateLink::take() {
  std::lock_guard<std::mutex> l(mu_);
  Mail m = std::move(mail_);
  mail_ = Mail{};
  has_mail_ = false;
  return m;
}

bool CertificateLink::hasMail() {
  std::lock_guard<std::mutex> l(mu_);
  return has_mail_;
}

}  // namespace outpost::transport
