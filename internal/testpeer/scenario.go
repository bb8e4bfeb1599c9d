package testpeer

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

// scenarioFS holds the SIPp scenarios. They are Go text/templates (rendered with
// scenarioData) so that response codes, pauses, media files and extra headers,
// which SIPp cannot take from -key/-set inside XML attributes, can vary per test.
//
//go:embed scenarios/*.xml scenarios/*.tmpl
var scenarioFS embed.FS

// scenarioTemplates is parsed once: the shared "media" block plus every scenario.
var scenarioTemplates = template.Must(template.New("").Option("missingkey=error").ParseFS(scenarioFS, "scenarios/*.tmpl", "scenarios/*.xml"))

// Scenarios returns the names of the embedded SIPp scenarios, e.g.
// "uac_call.xml", for SippOptions.Scenario.
func Scenarios() []string {
	entries, _ := fs.Glob(scenarioFS, "scenarios/*.xml")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, filepath.Base(e))
	}
	sort.Strings(names)
	return names
}

// isEmbeddedScenario reports whether name is one of Scenarios().
func isEmbeddedScenario(name string) bool {
	_, err := fs.Stat(scenarioFS, "scenarios/"+name)
	return err == nil && !strings.ContainsRune(name, '/')
}

// scenarioData is what the scenario templates see.
type scenarioData struct {
	From           string   // From name-addr without tag, e.g. `"Bank" <sip:+441234@127.0.0.1:5062>`
	Caller         string   // user part used in From and in the UAC's Contact
	Callee         string   // user part of the UAS's Contact
	Headers        []string // extra header lines
	ExpectCode     int      // uac_expect_code
	ResponseCode   int      // uas_busy
	ResponseReason string   // uas_busy
	HoldMS         int64    // time in the answered call before our BYE
	RingMS         int64    // ringing time (UAS) or time before CANCEL (UAC)
	AudioFile      string   // raw G.711 file for rtp_stream
	AudioLoops     int      // rtp_stream loop count (-1: forever)
	AudioPT        int      // rtp_stream payload type (0 PCMU, 8 PCMA)
	PCAPFile       string   // pcap for play_pcap_audio
	PCAPDelayMS    int64    // pause before play_pcap_audio
	AuthUser       string   // uas_register
	AuthPassword   string   // uas_register
	Expires        int      // uas_register
}

// check rejects values that would break the XML or the SIP message they are
// pasted into.
func (d *scenarioData) check() error {
	inline := map[string]string{"From": d.From, "Caller": d.Caller, "Callee": d.Callee,
		"ResponseReason": d.ResponseReason, "AuthUser": d.AuthUser, "AuthPassword": d.AuthPassword}
	for i, h := range d.Headers {
		inline[fmt.Sprintf("Headers[%d]", i)] = h
	}
	for k, v := range inline {
		if strings.ContainsAny(v, "\r\n") || strings.Contains(v, "]]>") {
			return fmt.Errorf("testpeer: scenario value %s=%q contains a line break or \"]]>\"", k, v)
		}
	}
	for k, v := range map[string]string{"AuthUser": d.AuthUser, "AuthPassword": d.AuthPassword,
		"AudioFile": d.AudioFile, "PCAPFile": d.PCAPFile} {
		if strings.ContainsAny(v, "\"<>&,") {
			return fmt.Errorf("testpeer: scenario attribute %s=%q contains one of \" < > & ,", k, v)
		}
	}
	return nil
}

// renderScenario renders the embedded scenario name with d into dir and
// returns the path of the file written.
func renderScenario(name string, d scenarioData, dir string) (string, error) {
	if err := d.check(); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := scenarioTemplates.ExecuteTemplate(&buf, name, d); err != nil {
		return "", fmt.Errorf("testpeer: render scenario %s: %w", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("testpeer: write scenario %s: %w", name, err)
	}
	return path, nil
}
