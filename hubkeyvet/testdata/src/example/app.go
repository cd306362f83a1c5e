// Package app is the program Example checks.
package app

import (
	"log"
	"os"

	"github.com/hubkey/hubkey/secrets"
)

const token = "pat-na1-238ddfde-cd07-4099-b2be-e68ad248861b" // want `private app token`

func run(s secrets.Secret) {
	log.Printf("calling HubSpot with %s", s.Reveal()) // want `reaches a logger`
	_ = secrets.New(os.Getenv("HUBSPOT_TOKEN"))       // want `read by hand`
}
