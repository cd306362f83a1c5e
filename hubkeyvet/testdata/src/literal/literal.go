// Package literal gives string constants to secrets.New: reported
// outside tests, whatever they hold.
package literal

import (
	"os"

	"github.com/hubkey/hubkey/secrets"
)

const signingKey = "correct horse battery staple" // want `string constant passed to secrets.New on line 18 \(fp:[0-9a-f]{16}\): the value is in the source and the binary; load it at run time through a provider`

type myString string

func reported() {
	_ = secrets.New("hunter2")                     // want `string constant passed to secrets.New \(fp:[0-9a-f]{16}\)`
	_ = secrets.NewBytes([]byte("s3cr3t-signing")) // want `string constant passed to secrets.NewBytes`
	_ = secrets.New(signingKey)
	_ = secrets.New("webhook-" + "secret-value")     // want `string constant passed to secrets.New`
	_ = secrets.New(string(myString("typed const"))) // want `string constant passed to secrets.New`
	local := "assigned once"                         // want `string constant passed to secrets.New on line 22`
	_ = secrets.New(local)
}

func notReported(v string) {
	_ = secrets.New("") // the zero Secret
	_ = secrets.New(v)
	_ = secrets.New(os.Args[0])
	changing := "first"
	changing = v
	_ = secrets.New(changing)
	// A credential recognisable on its own is reported once, as hard-coded.
	_ = secrets.New("pat-na1-87dca17e-e51e-4c48-a7b8-b8f8ceb1d858") // want `hard-coded HubSpot private app token`
}
