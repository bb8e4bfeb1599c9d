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
# In-call warnings, one per kind of request (texts from detect.Warnings();
# TestWarningPrompts checks they match).
say warning-cash           "This call may be a scam. The police and your bank will never ask you to withdraw cash, buy valuables or hand anything to a courier. You can hang up now."
say warning-safe-account   "This call may be a scam. Your bank will never ask you to move money to a safe account. You can hang up now."
say warning-vouchers       "This call may be a scam. No real organisation asks to be paid in vouchers or gift cards. You can hang up now."
say warning-pin            "This call may be a scam. Your bank and the police will never ask for your PIN, on the phone or on the keypad. You can hang up now."
say warning-code           "This call may be a scam. Never read out a code sent to your phone; it lets someone into your account. You can hang up now."
say warning-card           "This call may be a scam. Never give card or bank details to someone who has called you. You can hang up now."
say warning-computer       "This call may be a scam. Never let a caller take control of your computer. You can hang up now."
say warning-payment        "This call may be a scam. Real officials do not demand payment on the phone or threaten arrest. You can hang up now."
say warning-secrecy        "This call may be a scam. A real officer or bank will never ask you to keep a call secret from your family or the bank. You can hang up now."
say warning-callback       "This call may be a scam. To check a call, hang up, wait five minutes and call a number you know, from another phone if you can. You can hang up now."
say warning-generic        "This call may be a scam. Never give money or details to someone who has called you. You can hang up now."
say warning-investment     "This call may be a scam. Guaranteed high returns are a sign of fraud. You can hang up now."
