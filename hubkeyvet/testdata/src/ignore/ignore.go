// Package ignore silences findings with //hubkeyvet:ignore comments.
package ignore

import (
	"log"

	"github.com/hubkey/hubkey/secrets"
)

const sameLine = "pat-na1-87dca17e-e51e-4c48-a7b8-b8f8ceb1d858" //hubkeyvet:ignore revoked in HubSpot on 2025-01-01, kept to test the parser

//hubkeyvet:ignore a published sample token from HubSpot's documentation
const lineAbove = "CKDZpunPLhICAQEYs-gDIIGOBii1hQIyGQAf3xBKEgsYjYMJVvlHEz9tFHAwSq1TQAM40s0D"

// hubkeyvet:ignore a space after the slashes is accepted too
const spaced = "pat-na1-f8b6b0d7-4955-45db-8684-c22336c2d3a8"

const noReason = "pat-na1-45a1e775-89ef-4cb1-9002-feec472db147" //hubkeyvet:ignore // want `hard-coded HubSpot private app token` `//hubkeyvet:ignore without a reason silences nothing`

//hubkeyvet:ignore // want `//hubkeyvet:ignore without a reason silences nothing`
const noReasonAbove = "pat-na1-dc3d799b-ce9f-4cc5-a104-c14d5e7d03ac" // want `hard-coded HubSpot private app token`

//hubkeyvet:ignore only the line below is covered

const tooFar = "pat-na1-e79345d6-f6c8-49a8-b137-0134e1d347d9" // want `hard-coded HubSpot private app token`

//hubkeyvet:ignoreall is not the directive
const notTheDirective = "pat-na1-6f40c633-069d-454e-9762-120b4408e409" // want `hard-coded HubSpot private app token`

func flows(s secrets.Secret) {
	log.Printf("debug token %s", s.Reveal()) //hubkeyvet:ignore local debugging tool, never built for production
	_ = secrets.New("demo")                  //hubkeyvet:ignore the demo shows a refused forgery
}
