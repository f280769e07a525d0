// Real-time scheduling for the media path: the libre loop thread (SIP, media tick, DTMF) and
// RtpIo's submitter. Off by default. With it on, the kernel runs those two threads before any
// normal process on the machine (a database, the web UI, an import, a co-located far end), so
// a busy box delays other work instead of RTP frames; FreeSWITCH's -rp and Asterisk's -p do
// the same. Threads they start later run at normal priority (SCHED_RESET_ON_FORK), so a TTS or
// store thread never inherits it.
#pragma once

#include "core/status.h"

namespace dozvon {

// 0: off (the default); 1-99: the SCHED_RR priority for the media threads. Set it once at
// start-up, before the loop runs.
Status SetMediaPriority(int priority);
int MediaPriority();

// Gives the calling thread MediaPriority() (nothing when it is 0). An error says what the
// process lacks; the thread then keeps its normal priority.
Status ApplyMediaPriority();

// ApplyMediaPriority() for the media threads themselves: a failure is printed once per
// process, and the thread goes on at normal priority.
void ApplyMediaPriorityOrWarn();

}  // namespace dozvon
