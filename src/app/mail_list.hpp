#pragma once
#include <ostream>

#include "app/config.hpp"

namespace latchkey::app {

struct MailListOptions {
  bool json = false;
  int limit = 20;
};

// `latchkey mail list`: the newest mails of the outbox, newest first, with their text while
// unsent (without SMTP the outbox is a dev mailbox: this is where its codes and links are
// read, never in the log). Exit code.
int list_mail(const Config& config, const MailListOptions& options, std::ostream& out);

}  // namespace latchkey::app
