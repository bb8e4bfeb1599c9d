//go:build spandsp

package dtmfbench

/*
#cgo pkg-config: spandsp
#include <stdlib.h>
#include <stdint.h>
#include <spandsp.h>

// run feeds pcm to a fresh spandsp DTMF receiver in chunks of `chunk`
// samples (as RTP frames arrive), draining its digit buffer as it goes, and
// writes up to max-1 digits to out. It returns the number of digits found
// (which may exceed what fitted).
static int run_spandsp(const int16_t *pcm, int n, int chunk, char *out, int max) {
	dtmf_rx_state_t *s = dtmf_rx_init(NULL, NULL, NULL);
	if (s == NULL)
		return -1;
	int found = 0;
	char buf[MAX_DTMF_DIGITS + 1];
	for (int off = 0; off < n; off += chunk) {
		int len = n - off < chunk ? n - off : chunk;
		dtmf_rx(s, pcm + off, len);
		size_t got = dtmf_rx_get(s, buf, MAX_DTMF_DIGITS);
		for (size_t i = 0; i < got; i++) {
			if (found < max - 1)
				out[found] = buf[i];
			found++;
		}
	}
	out[found < max - 1 ? found : max - 1] = 0;
	dtmf_rx_free(s);
	return found;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

const haveSpandsp = true

// spandspDetect runs spandsp's dtmf_rx (default parameters) over pcm in
// 20 ms chunks and returns the digits it reported.
func spandspDetect(pcm []int16) (string, error) {
	if len(pcm) == 0 {
		return "", nil
	}
	const max = 4096
	out := (*C.char)(C.malloc(max))
	defer C.free(unsafe.Pointer(out))
	n := C.run_spandsp((*C.int16_t)(unsafe.Pointer(&pcm[0])), C.int(len(pcm)), 160, out, max)
	if n < 0 {
		return "", fmt.Errorf("spandsp: dtmf_rx_init failed")
	}
	return C.GoString(out), nil
}
