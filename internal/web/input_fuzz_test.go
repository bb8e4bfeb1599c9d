package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzReadInput feeds readInput, the parser of every request body the
// dashboard accepts (JSON objects, forms, multipart uploads), arbitrary
// bodies: it must never panic, and every failure must be a *problem (a
// 422 with a message), never a raw error.
func FuzzReadInput(f *testing.F) {
	f.Add("application/json", `{"name":"Dr Patel","number":"020 7183 8750"}`)
	f.Add("application/json", `{"lines":["mum","dad"],"ok":true}`)
	f.Add("application/json", `{"n":12}`)
	f.Add("application/json", `[1,2]`)
	f.Add("application/x-www-form-urlencoded", "name=Jo&number=%2B44&csrf=x")
	f.Add("application/x-www-form-urlencoded", "%zz=1")
	f.Add("multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--X--\r\n")
	f.Add("multipart/form-data", "garbage")
	f.Fuzz(func(t *testing.T, ctype, body string) {
		r := httptest.NewRequest(http.MethodPost, "/api/lines/mum/contacts", strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		v, err := readInput(httptest.NewRecorder(), r)
		if err != nil {
			var p *problem
			if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity || p.Message == "" {
				t.Fatalf("readInput error %v is not a 422 problem", err)
			}
			return
		}
		if v == nil {
			t.Fatal("no values and no error")
		}
	})
}
