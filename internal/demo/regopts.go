package demo

import (
	"time"

	"github.com/emiago/diago"
)

func regOptions(user, pass string) diago.RegisterOptions {
	return diago.RegisterOptions{Username: user, Password: pass, Expiry: 120 * time.Second}
}
