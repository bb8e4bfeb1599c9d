package main

import (
	"testing"
)

const sippInvite = "INVITE sip:+441632960001@127.0.0.1:5060 SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n" +
	"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-0\r\n" +
	"From: <sip:+442071838750@127.0.0.1:5061>;tag=1\r\n" +
	"To: <sip:+441632960001@127.0.0.1:5060>\r\n" +
	"Call-ID: 1-1@127.0.0.1\r\n" +
	"CSeq: 1 INVITE\r\n" +
	"Contact: <sip:caller@127.0.0.1:5061;transport=UDP>\r\n" +
	"Content-Length: 4\r\n\r\nv=0\nextra"

func TestParse(t *testing.T) {
	tests := []struct {
		name, raw          string
		wantErr            bool
		method, user, body string
		vias, code         int
	}{
		{name: "invite", raw: sippInvite, method: "INVITE", user: "+441632960001", body: "v=0\n", vias: 2},
		{name: "response takes its method from CSeq", raw: "SIP/2.0 180 Ringing\r\nVia: a\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n", method: "INVITE", code: 180, vias: 1},
		{name: "no blank line", raw: "INVITE sip:a@b SIP/2.0\r\nVia: a\r\n", wantErr: true},
		{name: "no Call-ID", raw: "BYE sip:a@b SIP/2.0\r\nVia: a\r\nCSeq: 2 BYE\r\n\r\n", wantErr: true},
		{name: "bad status", raw: "SIP/2.0 abc OK\r\nVia: a\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n", wantErr: true},
		{name: "bad length", raw: "BYE sip:a@b SIP/2.0\r\nVia: a\r\nCall-ID: x\r\nCSeq: 2 BYE\r\nl: -1\r\n\r\n", wantErr: true},
		{name: "header without colon", raw: "BYE sip:a@b SIP/2.0\r\nVia a\r\n\r\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m msg
			err := m.parse([]byte(tt.raw))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parse: %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if m.method != tt.method || m.code != tt.code || len(m.vias) != tt.vias || string(m.body) != tt.body || string(userOf(m.uri)) != tt.user {
				t.Errorf("got method %q code %d %d vias body %q user %q", m.method, m.code, len(m.vias), m.body, userOf(m.uri))
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sippInvite))
	f.Add([]byte("SIP/2.0 200 OK\r\nVia: a\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContact: <sip:b@c>\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var m msg
		if m.parse(raw) == nil {
			_ = userOf(m.contact)
			_ = uriOf(m.to)
		}
	})
}
