package testpeer

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestG711RoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []int16{0, 1, -1, 100, -100, 1000, -1000, 12345, -12345, 32767, -32768} {
		if got := MulawDecode(MulawEncode(s)); math.Abs(float64(got)-float64(s)) > math.Max(8, math.Abs(float64(s))/16) {
			t.Errorf("µ-law %d -> %d", s, got)
		}
		if got := AlawDecode(AlawEncode(s)); math.Abs(float64(got)-float64(s)) > math.Max(16, math.Abs(float64(s))/16) {
			t.Errorf("A-law %d -> %d", s, got)
		}
	}
	// Known code points: µ-law silence is 0xFF, A-law silence 0xD5.
	if MulawEncode(0) != 0xff || AlawEncode(0) != 0xd5 {
		t.Errorf("silence encodes as %#x / %#x", MulawEncode(0), AlawEncode(0))
	}
	for i := 0; i < 256; i++ { // decode∘encode∘decode is stable
		if d := MulawDecode(byte(i)); MulawDecode(MulawEncode(d)) != d {
			t.Errorf("µ-law code %#x unstable", i)
		}
		if d := AlawDecode(byte(i)); AlawDecode(AlawEncode(d)) != d {
			t.Errorf("A-law code %#x unstable", i)
		}
	}
}

func TestWAVRoundTripAndTones(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "t.wav")
	tone := Tone([]float64{1000}, time.Second)
	if err := WriteWAV(p, tone, PhoneRate); err != nil {
		t.Fatal(err)
	}
	pcm, rate, err := ReadWAV(p)
	if err != nil || rate != PhoneRate || len(pcm) != PhoneRate {
		t.Fatalf("ReadWAV: %d samples at %d: %v", len(pcm), rate, err)
	}
	if e := ToneEnergy(pcm, rate, 1000); e < 0.95 {
		t.Errorf("1 kHz energy of 1 kHz tone = %.3f", e)
	}
	if e := ToneEnergy(pcm, rate, 1400); e > 0.05 {
		t.Errorf("1.4 kHz energy of 1 kHz tone = %.3f", e)
	}
	if e := ToneEnergy(Silence(time.Second), rate, 1000); e != 0 {
		t.Errorf("energy of silence = %v", e)
	}
	through := DecodePCMU(EncodePCMU(pcm))
	if e := ToneEnergy(through, rate, 1000); e < 0.95 {
		t.Errorf("1 kHz energy after µ-law = %.3f", e)
	}
	if d := DBFS(tone); d > -5 || d < -8 {
		t.Errorf("tone level %.1f dBFS, want about -6", d)
	}
}

func TestDetectDTMF(t *testing.T) {
	t.Parallel()
	digits := "0123456789*#ABCD"
	pcm := DTMFTones(digits, 60*time.Millisecond, 60*time.Millisecond)
	if got := DetectDTMF(DecodePCMU(EncodePCMU(pcm)), PhoneRate); got != digits {
		t.Errorf("DetectDTMF = %q, want %q", got, digits)
	}
	if got := DetectDTMF(Tone([]float64{1000}, time.Second), PhoneRate); got != "" {
		t.Errorf("DetectDTMF(1 kHz) = %q", got)
	}
	if got := DetectDTMF(DTMFTones("11", 100*time.Millisecond, 60*time.Millisecond), PhoneRate); got != "11" {
		t.Errorf("repeated digit: %q", got)
	}
}

func TestRTPScriptPCAPRoundTrip(t *testing.T) {
	t.Parallel()
	s := NewRTPScript().Audio(Tone([]float64{440}, 100*time.Millisecond), PTPCMU).
		DTMF("9", PTTelephoneEvent, 60*time.Millisecond, 40*time.Millisecond).
		Audio(Silence(40*time.Millisecond), PTPCMA)
	p := filepath.Join(t.TempDir(), "s.pcap")
	if err := s.WritePCAP(p); err != nil {
		t.Fatal(err)
	}
	recs, err := readPCAP(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(s.Packets) {
		t.Fatalf("%d records, %d packets", len(recs), len(s.Packets))
	}
	var pkts []RTPPacket
	for i, r := range recs {
		pk, err := ParseRTP(r.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if pk.Seq != s.Packets[i].Seq || pk.Timestamp != s.Packets[i].Timestamp || pk.PayloadType != s.Packets[i].PayloadType {
			t.Errorf("packet %d: %+v != %+v", i, pk, s.Packets[i])
		}
		if got := r.Time.Sub(recs[0].Time); got != s.Packets[i].At {
			t.Errorf("packet %d at %v, want %v", i, got, s.Packets[i].At)
		}
		pkts = append(pkts, pk)
	}
	ev := Events(pkts, PTTelephoneEvent)
	if len(ev) != 1 || ev[0].Digit != '9' || !ev[0].Ended || ev[0].Duration != 480 {
		t.Errorf("events %+v", ev)
	}
	if got, want := s.Duration(), 100*time.Millisecond+60*time.Millisecond+40*time.Millisecond+40*time.Millisecond; got != want {
		t.Errorf("duration %v, want %v", got, want)
	}
	if n := len(DecodeAudio(pkts)); n != 7*160 {
		t.Errorf("decoded %d samples", n)
	}
}

func TestSpeak(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"flite", "flite:slt", "espeak-ng:en-gb"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			name, _, _ := strings.Cut(engine, ":")
			Require(t, name, "sox")
			out := filepath.Join(t.TempDir(), "s.wav")
			if err := Speak(testCtx(t, 10*time.Second), "Police and banks never ask you to withdraw cash.", out, engine); err != nil {
				t.Fatal(err)
			}
			pcm, rate, err := ReadWAV(out)
			if err != nil {
				t.Fatal(err)
			}
			if rate != PhoneRate || len(pcm) < PhoneRate || RMS(pcm) < 300 {
				t.Errorf("speech: %d Hz, %d samples, rms %.0f", rate, len(pcm), RMS(pcm))
			}
			if c := Contains(Concat(Silence(300*time.Millisecond), DecodePCMU(EncodePCMU(pcm))), pcm, rate); c < 0.95 {
				t.Errorf("speech does not contain itself: %.2f", c)
			}
			if c := Contains(Tone([]float64{1000}, 5*time.Second), pcm, rate); c > 0.3 {
				t.Errorf("a tone contains the speech: %.2f", c)
			}
		})
	}
}
