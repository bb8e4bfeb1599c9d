package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/asr"
	"github.com/clearline/clearline/internal/asr/audio"
)

// fakeServer is a transcription server speaking the real wire format: it
// parses the multipart form and the WAV in it like a whisper server, and
// answers with what the test case says.
type fakeServer struct {
	t       *testing.T
	respond func(w http.ResponseWriter, r *http.Request)
	mu      sync.Mutex
	reqs    []request
}

type request struct {
	path, auth, model, language, format string
	rate, samples                       int
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := request{path: r.URL.Path, auth: r.Header.Get("Authorization")}
	if r.Method != http.MethodPost {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		http.Error(w, `{"error":{"message":"bad form"}}`, http.StatusBadRequest)
		return
	}
	req.model, req.language, req.format = r.FormValue("model"), r.FormValue("language"), r.FormValue("response_format")
	file, hdr, err := r.FormFile("file")
	if err != nil {
		http.Error(w, `{"error":{"message":"no file"}}`, http.StatusBadRequest)
		return
	}
	defer file.Close()
	pcm, rate, err := audio.ReadWAV(file)
	if err != nil || !strings.HasSuffix(hdr.Filename, ".wav") {
		http.Error(w, `{"error":{"message":"bad wav"}}`, http.StatusBadRequest)
		return
	}
	req.rate, req.samples = rate, len(pcm)
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	f.respond(w, r)
}

func reply(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// speechLike returns 1 s of quiet, 1.5 s of a loud tone (the VAD's idea of
// speech) and 1 s of quiet at 8 kHz.
func speechLike() []int16 {
	out := make([]int16, 3500*8)
	for i := 8000; i < 20000; i++ {
		out[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	return out
}

func run(t *testing.T, cfg Config, pcm []int16) ([]asr.Segment, asr.Stats, error) {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.NewStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(pcm); i += 160 {
		st.Write(pcm[i:min(i+160, len(pcm))])
	}
	var segs []asr.Segment
	done := make(chan struct{})
	go func() {
		for s := range st.Results() {
			segs = append(segs, s)
		}
		close(done)
	}()
	err = st.Close()
	<-done
	if r.Open() != 0 {
		t.Errorf("%d streams still open after Close", r.Open())
	}
	return segs, st.(asr.StatsReporter).Stats(), err
}

func TestTranscription(t *testing.T) {
	tests := []struct {
		name     string
		respond  func(http.ResponseWriter, *http.Request)
		timeout  time.Duration
		wantText string // "" with wantErr "": no segment
		wantErr  string
	}{
		{"json", reply(200, `{"text":" Hello, this is Detective Burns. Withdraw £5,000 in cash."}`), 0,
			"hello this is detective burns withdraw 5 000 in cash", ""},
		{"verbose json", reply(200, `{"task":"transcribe","language":"english","duration":2.1,"text":"Gift cards.","segments":[{"id":0,"text":"Gift cards."}]}`), 0,
			"gift cards", ""},
		{"silence transcribed as nothing", reply(200, `{"text":""}`), 0, "", ""},
		{"server error with openai message", reply(500, `{"error":{"message":"model overloaded","type":"server_error"}}`), 0,
			"", "status 500: \"model overloaded\""},
		{"fastapi error detail", reply(422, `{"detail":"Unsupported file format"}`), 0,
			"", "status 422: \"Unsupported file format\""},
		{"proxy html error", reply(502, `<html><body>502 Bad Gateway</body></html>`), 0,
			"", "status 502: \"<html><body>502 Bad Gateway"},
		{"truncated json", reply(200, `{"text": "withdraw ca`), 0, "", "unexpected end of JSON input"},
		{"json without text", reply(200, `{"result":"withdraw cash"}`), 0, "", "no text field"},
		{"text of the wrong type", reply(200, `{"text":42}`), 0, "", "cannot unmarshal number"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, 50 * time.Millisecond,
			"", "context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &fakeServer{t: t, respond: tt.respond}
			srv := httptest.NewServer(fs)
			defer srv.Close()
			segs, stats, err := run(t, Config{URL: srv.URL, APIKey: "k3y", Timeout: tt.timeout}, speechLike())
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Close() = %v", err)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Close() = %v, want an error containing %q", err, tt.wantErr)
				}
				if stats.DecoderErrors != 1 {
					t.Errorf("decoder errors = %d, want 1", stats.DecoderErrors)
				}
			}
			var texts []string
			for _, s := range segs {
				texts = append(texts, s.Text)
				if !s.Final || s.Spotted {
					t.Errorf("segment %+v: want final, not spotted", s)
				}
				// Speech from 1 s to 2.5 s: the utterance opens 300 ms
				// before the 30 ms attack and closes 500 ms after.
				if s.Start != 730*time.Millisecond || s.End < 2990*time.Millisecond || s.End > 3010*time.Millisecond {
					t.Errorf("segment spans %v..%v, want 730ms..3s", s.Start, s.End)
				}
			}
			if want := slices.DeleteFunc([]string{tt.wantText}, func(s string) bool { return s == "" }); !slices.Equal(texts, want) {
				t.Errorf("segments %q, want %q", texts, want)
			}
			fs.mu.Lock()
			defer fs.mu.Unlock()
			if len(fs.reqs) != 1 {
				t.Fatalf("%d requests, want 1 (one utterance)", len(fs.reqs))
			}
			want := request{path: Path, auth: "Bearer k3y", model: "whisper-1", language: "en", format: "json", rate: 16000, samples: 2270*16 + 2*audio.NewUpsampler().Delay()} // + the filter tail
			if got := fs.reqs[0]; got != want {
				t.Errorf("request %+v, want %+v", got, want)
			}
		})
	}
}

// An unreachable server costs the utterance, not the stream.
func TestServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, stats, err := run(t, Config{URL: url}, slices.Concat(speechLike(), speechLike()))
	if err == nil || stats.DecoderErrors != 2 || stats.Utterances != 2 {
		t.Errorf("err %v, stats %+v: want both utterances to fail and be counted", err, stats)
	}
}

// Utterances shorter than MinSpeech are not sent; 8 kHz is sent as is.
func TestMinSpeechAndRate(t *testing.T) {
	fs := &fakeServer{t: t, respond: reply(200, `{"text":"hello"}`)}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	segs, _, err := run(t, Config{URL: srv.URL + "/", SampleRate: 8000, MinSpeech: 5 * time.Second}, speechLike())
	if err != nil || len(segs) != 0 || len(fs.reqs) != 0 {
		t.Errorf("short utterance: err %v, %d segments, %d requests; want none sent", err, len(segs), len(fs.reqs))
	}
	segs, _, err = run(t, Config{URL: srv.URL + "/", SampleRate: 8000}, speechLike())
	if err != nil || len(segs) != 1 || len(fs.reqs) != 1 || fs.reqs[0].rate != 8000 || fs.reqs[0].samples != 2270*8 {
		t.Errorf("8 kHz: err %v, segments %v, requests %+v", err, segs, fs.reqs)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		url, endpoint, err string
	}{
		{"http://asr:8000", "http://asr:8000/v1/audio/transcriptions", ""},
		{"https://api.example.com/v1/audio/transcriptions", "https://api.example.com/v1/audio/transcriptions", ""},
		{"http://asr/whisper/", "http://asr/whisper/v1/audio/transcriptions", ""},
		{"", "", "no server url"},
		{"asr:8000", "", "want http(s)"},
		{"ftp://asr", "", "want http(s)"},
		{"http://%zz", "", "invalid URL escape"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			r, err := New(Config{URL: tt.url})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("New(%q) = %v, want error containing %q", tt.url, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Endpoint() != tt.endpoint {
				t.Errorf("endpoint %q, want %q", r.Endpoint(), tt.endpoint)
			}
		})
	}
	if _, err := New(Config{URL: "http://asr", SampleRate: 44100}); err == nil {
		t.Error("44.1 kHz accepted")
	}
	r, _ := New(Config{URL: "http://asr"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.NewStream(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("NewStream(cancelled) = %v", err)
	}
}

func TestParseResponse(t *testing.T) {
	big := fmt.Sprintf(`{"text":"%s"}`, strings.Repeat("a", MaxResponseBytes))
	tests := []struct {
		name   string
		status int
		body   string
		want   string
		err    bool
	}{
		{"ok", 200, `{"text":"hi"}`, "hi", false},
		{"null text", 200, `{"text":null}`, "", true},
		{"array", 200, `["hi"]`, "", true},
		{"empty body", 200, ``, "", true},
		{"error string", 400, `{"error":"bad"}`, "", true},
		{"too big", 200, big, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResponse(tt.status, []byte(tt.body))
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("ParseResponse = %q, %v; want %q, error %v", got, err, tt.want, tt.err)
			}
			if err != nil && !errors.Is(err, ErrResponse) {
				t.Errorf("error %v does not wrap ErrResponse", err)
			}
		})
	}
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{`{"text":"hi"}`, `{"error":{"message":"x"}}`, `{"detail":[{"msg":"x"}]}`, `<html>`, `{"text":`} {
		f.Add(200, []byte(s))
		f.Add(500, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		text, err := ParseResponse(status, body)
		if err == nil && status != http.StatusOK {
			t.Fatalf("status %d accepted", status)
		}
		if err != nil && (text != "" || !errors.Is(err, ErrResponse)) {
			t.Fatalf("error %v with text %q", err, text)
		}
	})
}
