package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clearline/clearline/internal/asr"
	"github.com/clearline/clearline/internal/asr/audio"
)

// Path is the API's endpoint under the server's base URL.
const Path = "/v1/audio/transcriptions"

// MaxResponseBytes bounds the response body read from the server.
const MaxResponseBytes = 1 << 20

// Config configures the adapter. Zero fields take their defaults.
type Config struct {
	// URL is the server's base URL ("http://asr.internal:8000") or the
	// full endpoint URL (ending in /v1/audio/transcriptions). Required.
	URL string
	// Model is the model name the server expects (default "whisper-1";
	// local servers often ignore it or want e.g. "Systran/faster-whisper-small.en").
	Model string
	// Language is the ISO 639-1 language of the speech (default "en").
	Language string
	// Prompt optionally biases the transcription towards a vocabulary,
	// e.g. "courier, gift cards, safe account, PIN".
	Prompt string
	// APIKey is sent as a bearer token when set.
	APIKey string
	// Timeout bounds each request (default 20 s).
	Timeout time.Duration
	// SampleRate of the WAV sent: 16000 (default; whisper models run at
	// 16 kHz) or 8000 (the telephone audio as received, for servers that
	// resample themselves).
	SampleRate int
	// MinSpeech is the shortest utterance sent (default 300 ms): shorter
	// ones are clicks or breaths, on which whisper models invent text.
	MinSpeech time.Duration
	// Client makes the requests (default: a client with no overall
	// timeout; Timeout applies per request).
	Client *http.Client
	// Stream tunes the front end (VAD, queue). Its DecoderRate is set from
	// SampleRate.
	Stream asr.StreamConfig
	// Logger receives request failures; nil discards them.
	Logger *slog.Logger
}

// Recognizer transcribes through an external server. It is safe for
// concurrent use.
type Recognizer struct {
	cfg      Config
	endpoint string
	open     atomic.Int64
}

var _ asr.Recognizer = (*Recognizer)(nil)

// New checks cfg and returns the adapter. It does not contact the server.
func New(cfg Config) (*Recognizer, error) {
	if cfg.URL == "" {
		return nil, errors.New("remote asr: no server url")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("remote asr: server url: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("remote asr: server url %q: want http(s)://host[:port][/path]", cfg.URL)
	}
	if !strings.HasSuffix(u.Path, Path) {
		u.Path = strings.TrimSuffix(u.Path, "/") + Path
	}
	if cfg.Model == "" {
		cfg.Model = "whisper-1"
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.SampleRate == 0 {
		cfg.SampleRate = 16000
	}
	if cfg.MinSpeech == 0 {
		cfg.MinSpeech = 300 * time.Millisecond
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Stream.Logger == nil {
		cfg.Stream.Logger = cfg.Logger
	}
	if cfg.Timeout < 0 || cfg.MinSpeech < 0 {
		return nil, errors.New("remote asr: negative timeout or minimum speech")
	}
	cfg.Stream.DecoderRate = cfg.SampleRate
	if err := cfg.Stream.Validate(); err != nil {
		return nil, fmt.Errorf("remote asr: %w", err)
	}
	return &Recognizer{cfg: cfg, endpoint: u.String()}, nil
}

// Name returns "openai-transcriptions:" and the model name.
func (r *Recognizer) Name() string { return "openai-transcriptions:" + r.cfg.Model }

// Endpoint returns the URL requests go to.
func (r *Recognizer) Endpoint() string { return r.endpoint }

// Open returns the number of open streams.
func (r *Recognizer) Open() int { return int(r.open.Load()) }

// NewStream starts a stream whose utterances are transcribed by the
// server.
func (r *Recognizer) NewStream(ctx context.Context) (asr.Stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("remote asr: new stream: %w", err)
	}
	r.open.Add(1)
	return asr.NewUtteranceStream(ctx, &utterances{r: r}, r.cfg.Stream), nil
}

// utterances buffers one utterance and transcribes it at its end.
type utterances struct {
	r   *Recognizer
	pcm []int16
	wav bytes.Buffer
}

// maxUtterance bounds the audio buffered for one request: the VAD cuts
// utterances well before this.
const maxUtterance = 60 * time.Second

func (u *utterances) Begin(context.Context) error {
	u.pcm = u.pcm[:0]
	return nil
}

func (u *utterances) Audio(_ context.Context, pcm []int16) ([]asr.Segment, error) {
	room := int(maxUtterance.Seconds())*u.r.cfg.SampleRate - len(u.pcm)
	u.pcm = append(u.pcm, pcm[:min(len(pcm), max(room, 0))]...)
	return nil, nil
}

func (u *utterances) End(ctx context.Context) ([]asr.Segment, error) {
	dur := time.Duration(len(u.pcm)) * time.Second / time.Duration(u.r.cfg.SampleRate)
	if dur < u.r.cfg.MinSpeech {
		return nil, nil
	}
	text, err := u.r.transcribe(ctx, u.pcm, &u.wav)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, nil
	}
	return []asr.Segment{{Text: text, Start: 0, End: dur, Final: true}}, nil
}

func (u *utterances) Close() error {
	u.r.open.Add(-1)
	return nil
}

// transcribe sends one utterance and returns its normalised text.
func (r *Recognizer) transcribe(ctx context.Context, pcm []int16, buf *bytes.Buffer) (string, error) {
	buf.Reset()
	ct, err := r.writeForm(buf, pcm)
	if err != nil {
		return "", fmt.Errorf("remote asr: build request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, bytes.NewReader(buf.Bytes()))
	if err != nil {
		return "", fmt.Errorf("remote asr: build request: %w", err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	if r.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+r.cfg.APIKey)
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("remote asr: post %s: %w", r.endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return "", fmt.Errorf("remote asr: read response: %w", err)
	}
	text, err := ParseResponse(resp.StatusCode, body)
	if err != nil {
		return "", fmt.Errorf("remote asr: %w", err)
	}
	return asr.NormalizeText(text), nil
}

// writeForm writes the multipart request body and returns its content
// type.
func (r *Recognizer) writeForm(w io.Writer, pcm []int16) (string, error) {
	mw := multipart.NewWriter(w)
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="file"; filename="utterance.wav"`)
	h.Set("Content-Type", "audio/wav")
	fw, err := mw.CreatePart(h)
	if err != nil {
		return "", err
	}
	if err := audio.WriteWAV(fw, pcm, r.cfg.SampleRate); err != nil {
		return "", err
	}
	fields := [][2]string{
		{"model", r.cfg.Model},
		{"language", r.cfg.Language},
		{"response_format", "json"},
		{"temperature", strconv.Itoa(0)},
	}
	if r.cfg.Prompt != "" {
		fields = append(fields, [2]string{"prompt", r.cfg.Prompt})
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return "", err
		}
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	return mw.FormDataContentType(), nil
}

// ErrResponse is wrapped by ParseResponse for a response it cannot use.
var ErrResponse = errors.New("bad transcription response")

// ParseResponse extracts the transcript from a server's response: status
// 200 and a JSON object with a string "text" (other fields, as in
// verbose_json, are ignored). An error response's message
// ({"error": {"message": ...}} or {"detail": ...}) is quoted in the error.
func ParseResponse(status int, body []byte) (string, error) {
	if len(body) > MaxResponseBytes {
		return "", fmt.Errorf("%w: status %d, body over %d bytes", ErrResponse, status, MaxResponseBytes)
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("%w: status %d: %s", ErrResponse, status, errorMessage(body))
	}
	var v struct {
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("%w: %v: %s", ErrResponse, err, snippet(body))
	}
	if v.Text == nil {
		return "", fmt.Errorf("%w: no text field: %s", ErrResponse, snippet(body))
	}
	return *v.Text, nil
}

// errorMessage digs the message out of an error body in the OpenAI
// ({"error": {"message"}}), FastAPI ({"detail"}) or plain-text style.
func errorMessage(body []byte) string {
	var v struct {
		Error json.RawMessage `json:"error"`
		// FastAPI servers (faster-whisper-server) answer {"detail": ...}.
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &v) == nil {
		var e struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(v.Error, &e) == nil && e.Message != "":
			return snippet([]byte(e.Message))
		case json.Unmarshal(v.Error, &s) == nil && s != "":
			return snippet([]byte(s))
		case json.Unmarshal(v.Detail, &s) == nil && s != "":
			return snippet([]byte(s))
		case len(v.Detail) > 0:
			return snippet(v.Detail)
		}
	}
	return snippet(body)
}

// snippet quotes the start of b for an error message.
func snippet(b []byte) string {
	const n = 200
	s := string(b)
	if len(s) > n {
		s = s[:n] + "..."
	}
	return strconv.Quote(s)
}
