#!/usr/bin/env bash
# Regenerates clearline's spoken prompts (internal/prompts/wav/*.wav) with
# espeak-ng (British English, a calm slower voice) and sox, as 8 kHz mono
# 16-bit WAV ready for G.711. The WAVs are committed; run this after editing
# the texts below.
set -euo pipefail
cd "$(dirname "$0")/../internal/prompts/wav"
say() { # name text
  espeak-ng -v en-gb -s 140 -p 45 -w "/tmp/prompt-$1.wav" "$2"
  sox "/tmp/prompt-$1.wav" -r 8000 -c 1 -b 16 -e signed-integer "$1.wav" gain -n -3
  rm -f "/tmp/prompt-$1.wav"
}
say ask-name        "Please say your name after the tone, and you will be connected."
say call-from       "Call from"
say press-keys      "Press 1 to accept, 2 to refuse, 3 to accept and always allow this caller, 9 to block this caller."
say caller-refused  "The person you are calling cannot take your call. Goodbye."
say scam-warning    "This call may be a scam. The police and your bank will never ask you to withdraw cash or hand over your card. You can hang up now."
say pin-reminder    "Never type your PIN for a caller."
say new-call        "This is a new call. Your previous call has ended."
