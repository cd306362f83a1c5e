package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hubkey/hubkey/gateway/keypolicy"
)

const jsonContentType = "application/json;charset=utf-8"

// HubSpot's error categories.
const (
	catAuth       = "INVALID_AUTHENTICATION"
	catScopes     = "MISSING_SCOPES"
	catNotFound   = "OBJECT_NOT_FOUND"
	catValidation = "VALIDATION_ERROR"
	catConflict   = "CONFLICT"
	catRateLimits = "RATE_LIMITS"
	catForbidden  = "FORBIDDEN"
)

// apiError is HubSpot's error body.
type apiError struct {
	status        int
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
	// Rate limit bodies carry these too.
	ErrorType  string `json:"errorType,omitempty"`
	PolicyName string `json:"policyName,omitempty"`
}

// errorDetail is one entry of an error body's errors[].
type errorDetail struct {
	Message     string              `json:"message"`
	Code        string              `json:"code,omitempty"`
	In          string              `json:"in,omitempty"`
	SubCategory string              `json:"subCategory,omitempty"`
	Context     map[string][]string `json:"context,omitempty"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	e.Status = "error"
	writeJSON(w, e.status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "hubspottest: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func authError(corr string) *apiError {
	return &apiError{
		status:        http.StatusUnauthorized,
		Message:       "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
		CorrelationID: corr,
		Category:      catAuth,
	}
}

func rateLimitError(corr, policy string) *apiError {
	return &apiError{
		status:        http.StatusTooManyRequests,
		Message:       fmt.Sprintf("You have reached your %s limit.", strings.ToLower(policy)),
		ErrorType:     "RATE_LIMIT",
		CorrelationID: corr,
		PolicyName:    policy,
		Category:      catRateLimits,
	}
}

func validationError(corr, msg string, details ...errorDetail) *apiError {
	return &apiError{status: http.StatusBadRequest, Message: msg, CorrelationID: corr, Category: catValidation, Errors: details}
}

func notFoundError(corr string) *apiError {
	return &apiError{status: http.StatusNotFound, Message: "resource not found", CorrelationID: corr, Category: catNotFound}
}

// writeDenied answers a call the key policy refused.
func (s *Server) writeDenied(w http.ResponseWriter, r *http.Request, d *keypolicy.DenyError, corr string) {
	switch d.Reason {
	case keypolicy.ReasonMissingScopes:
		writeError(w, &apiError{
			status:        http.StatusForbidden,
			Message:       "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
			CorrelationID: corr,
			Category:      catScopes,
			Errors: []errorDetail{{
				Message: "One or more of the following scopes are required.",
				Context: map[string][]string{"requiredGranularScopes": d.Missing},
			}},
			Links: map[string]string{"scopes": "https://developers.hubspot.com/scopes"},
		})
	case keypolicy.ReasonRateLimited:
		setRateHeaders(w.Header(), d.Usage)
		writeError(w, rateLimitError(corr, string(d.Policy)))
	case keypolicy.ReasonIPNotAllowed:
		writeError(w, &apiError{
			status:        http.StatusForbidden,
			Message:       "This token may not be used from this address.",
			CorrelationID: corr,
			Category:      catForbidden,
			SubCategory:   "IP_NOT_ALLOWED",
		})
	case keypolicy.ReasonSignatureRequired, keypolicy.ReasonSignatureInvalid:
		e := authError(corr)
		e.Message = "This token requires a valid request signature."
		e.SubCategory = "SIGNATURE_REQUIRED"
		if d.Reason == keypolicy.ReasonSignatureInvalid {
			e.Message = "The request signature is not valid."
			e.SubCategory = "SIGNATURE_INVALID"
		}
		annotateSignatureError(e, d)
		writeError(w, e)
	default:
		writeError(w, authError(corr))
	}
}
