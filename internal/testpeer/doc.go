// Package testpeer drives real SIP peers for clearline's integration tests and
// benchmarks: SIPp (Debian package sip-tester, 3.6.1) as a provider trunk,
// caller or load generator, and baresip (1.0.0) as the protected person's
// phone. It also holds the audio helpers those tests need: synthesised speech
// (flite, espeak-ng), tones, WAV reading and writing, G.711, Goertzel tone
// energy and DTMF detection, RTP scripts written as pcap files for SIPp's
// play_pcap_audio, and capture of the RTP a peer receives (tcpdump on lo).
//
// testpeer is for tests only: production code must never import it
// (TestNotInProductionBinaries checks cmd/...).
//
// # Peers
//
// StartSipp/RunSipp run one SIPp scenario. The embedded scenarios (see
// Scenarios) are Go text/templates rendered from SippOptions, because SIPp
// cannot take response codes, pauses or file names from -key/-set inside XML
// attributes:
//
//	uac_call.xml           INVITE (PCMU, PCMA, telephone-event/101), 200, ACK, media, Hold, BYE, 200
//	uac_call_wait_bye.xml  as uac_call, then waits for the far side's BYE and answers 200
//	uac_cancel.xml         INVITE, 180 or 183, Ring, CANCEL, 200 (CANCEL), 487, ACK
//	uac_expect_code.xml    INVITE, requires final response ExpectCode, ACK
//	uas_answer.xml         100, 180, Ring, 200 with SDP, ACK, media, waits for BYE, 200
//	uas_answer_bye.xml     as uas_answer, then Hold and its own BYE
//	uas_busy.xml           100, (180 + Ring), ResponseCode (default 486), ACK
//	uas_ring_noanswer.xml  100, 180, then CANCEL (200, 487, ACK) or after Ring 480
//	uas_register.xml       REGISTER, 401 Digest, REGISTER checked by verifyauth, 200 or 403
//
// SIPp media after the answer: SippOptions.Audio (a WAV streamed as PCMU by
// rtp_stream, no privileges), then after MediaDelay SippOptions.Media (an
// RTPScript: PCMU/PCMA audio, RFC 4733 events with any payload type, gaps;
// played by play_pcap_audio, which needs root), then Hold. RTPEcho echoes
// what arrives. CaptureRTP records what arrives at SIPp's media port
// (SippResult.RTP; root and tcpdump) so a test can assert that, e.g., no
// RFC 4733 event (Digits) and no in-band digit (DetectDTMF of DecodeAudio)
// reached the caller. The SIP trace is in SippResult.Messages.
//
// StartBaresip runs a baresip phone with its own config directory: UDP or
// TCP, PCMU/PCMA, telephone-event, an aufile audio source (AudioSource), the
// sndfile filter recording what it hears (Record, RecordingPath), control and
// events over ctrl_tcp (Dial, Accept, Hangup, SendDTMF, SetAudioSource,
// WaitEvent), registration with digest auth to Registrar (WaitRegistered) or
// none (call it at URI).
//
// Every process binds 127.0.0.1 on ports chosen at run time, runs in its own
// process group, dies with the test binary (Pdeathsig), is killed by
// t.Cleanup and has its own time limit (SIPp -timeout, baresip -t).
//
// # Quirks of the Debian versions
//
//   - SIPp 3.6.1: a <recv> timeout counts as a failed call even with
//     ontimeout when the label is at the end of the scenario; -timeout with
//     -timeout_error exits 255; play_pcap_audio and play_dtmf need a raw
//     socket (root); play_dtmf hard-codes payload type 96 (use
//     RTPScript.DTMF instead); rtp_stream sends raw G.711 bytes (a WAV header
//     would be sent as audio, so Audio is converted to raw PCMU); SIPp cannot
//     record RTP; empty [last_*]/[routes] lines are dropped from messages.
//   - baresip 1.0.0: events sent before the ctrl_tcp client connects are
//     lost, so the account is created with "uanew" after connecting; with
//     answermode=auto there is no CALL_INCOMING event (wait for
//     CALL_ESTABLISHED, Direction "incoming"); when the aufile source reaches
//     the end of its file baresip hangs up the call ("end of file"), so
//     sources are padded with silence to MaxLifetime; aufile cannot record
//     (sndfile does, one dump-<time>-dec.wav per call, second resolution);
//     no in-band DTMF generator (play DTMFTones with SetAudioSource);
//     "net_interface lo" fails, the address works; baresip also listens for
//     TLS on the SIP port + 1; its Contact user is "<user>-0x<hex>", not the
//     AOR user; its DNS client binds 0.0.0.0 (it never sends a query while
//     every URI is an IP address).
package testpeer
