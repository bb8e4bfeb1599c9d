//go:build !spandsp

package dtmfbench

import "errors"

const haveSpandsp = false

func spandspDetect([]int16) (string, error) {
	return "", errors.New("built without the spandsp tag (bench/dtmf/run.sh sets it)")
}
