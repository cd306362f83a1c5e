package otelhubspot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/hubkey/hubkey/hubspot"
)

// Usage is the day's use of HubSpot's daily API limit: the account's, as
// HubSpot counts it, and this process's per credential.
type Usage struct {
	// Used is the account's calls today and Limit its daily limit, as
	// HubSpot counted them at CollectedAt; the count starts again at
	// ResetsAt.
	Used, Limit           int64
	CollectedAt, ResetsAt time.Time
	// Warn reports that Used has passed the warning share of Limit
	// (WithUsageWarning).
	Warn bool
	// Credentials are the credentials this process called with today,
	// ordered by name and fingerprint.
	Credentials []CredentialUsage
}

// CredentialUsage is one credential's use of the day, as this process
// saw it.
type CredentialUsage struct {
	// Credential is the credential's name (hubspot.WithCredential), ""
	// for the single one of hubspot.WithToken; Fingerprint identifies its
	// token, or is its lineage when it has one (an OAuth installation,
	// whose token changes at every refresh).
	Credential, Fingerprint string
	// Calls is the number of requests this process sent with it today:
	// since the Telemetry started, or since HubSpot's day last turned
	// (the ResetsAt of a Usage report moved on).
	Calls int64
	// Daily and DailyRemaining are its daily limit and what is left of
	// it, as HubSpot's X-HubSpot-RateLimit-Daily and -Daily-Remaining
	// headers last said; -1 when HubSpot has not said.
	Daily, DailyRemaining int64
	// Warn reports that Daily-DailyRemaining has passed the warning share
	// of Daily.
	Warn bool
}

// usageName is the counter of HubSpot's daily usage report that counts
// private apps' calls.
const usageName = "private-apps-api-calls-daily"

// Usage asks HubSpot for the account's daily API usage (through
// c.Account.DailyUsage) and adds this process's own counts per
// credential, which the Telemetry keeps when c reports to it
// (hubspot.WithObserver(t.Observer())). It records the figures as gauges
// (hubspot.usage.daily.used, .limit, .calls) and, for each figure past
// the warning share of its limit (WithUsageWarning), logs a warning and
// counts hubspot.usage.warnings.
func (t *Telemetry) Usage(ctx context.Context, c *hubspot.Client) (Usage, error) {
	all, err := c.Account.DailyUsage(ctx)
	if err != nil {
		return Usage{}, fmt.Errorf("otelhubspot: reading the daily API usage: %w", err)
	}
	var u Usage
	i := slices.IndexFunc(all, func(a hubspot.APIUsage) bool { return a.Name == usageName })
	if i < 0 && len(all) > 0 {
		i = 0
	}
	if i >= 0 {
		a := all[i]
		u.Used, u.Limit, u.CollectedAt, u.ResetsAt = a.CurrentUsage, a.UsageLimit, a.CollectedAt, a.ResetsAt
	}
	t.turnDay(u.ResetsAt)

	t.usageUsed.Record(ctx, u.Used)
	t.usageLimit.Record(ctx, u.Limit)
	if u.Limit > 0 && float64(u.Used) >= t.warnAt*float64(u.Limit) {
		u.Warn = true
		t.warn(ctx, "account", "", "", u.Used, u.Limit)
	}
	t.creds.Range(func(_, v any) bool {
		cc := v.(*credCount)
		cu := CredentialUsage{Credential: cc.name, Fingerprint: cc.fp, Calls: cc.calls.Load(),
			Daily: cc.daily.Load(), DailyRemaining: cc.dailyOK.Load()}
		if cu.Daily > 0 && cu.DailyRemaining >= 0 && float64(cu.Daily-cu.DailyRemaining) >= t.warnAt*float64(cu.Daily) {
			cu.Warn = true
			t.warn(ctx, "credential", cu.Credential, cu.Fingerprint, cu.Daily-cu.DailyRemaining, cu.Daily)
		}
		t.usageCalls.Record(ctx, cu.Calls, t.set(setKey{kind: 'U', cred: cu.Credential, fp: cu.Fingerprint}, func() []attribute.KeyValue {
			return []attribute.KeyValue{keyCredential.String(cu.Credential), keyFingerprint.String(cu.Fingerprint)}
		}))
		u.Credentials = append(u.Credentials, cu)
		return true
	})
	slices.SortFunc(u.Credentials, func(a, b CredentialUsage) int {
		if c := strings.Compare(a.Credential, b.Credential); c != 0 {
			return c
		}
		return strings.Compare(a.Fingerprint, b.Fingerprint)
	})
	return u, nil
}

// turnDay restarts this process's counts when HubSpot's day has turned
// since the last report.
func (t *Telemetry) turnDay(resetsAt time.Time) {
	if resetsAt.IsZero() {
		return
	}
	t.usageMu.Lock()
	defer t.usageMu.Unlock()
	if !t.usageDay.IsZero() && resetsAt.After(t.usageDay) {
		t.creds.Range(func(_, v any) bool {
			v.(*credCount).calls.Store(0)
			return true
		})
	}
	if resetsAt.After(t.usageDay) {
		t.usageDay = resetsAt
	}
}

func (t *Telemetry) warn(ctx context.Context, scope, cred, fp string, used, limit int64) {
	t.usageWarn.Add(ctx, 1, t.set(setKey{kind: 'X', a: scope, cred: cred, fp: fp}, func() []attribute.KeyValue {
		kv := []attribute.KeyValue{keyScope.String(scope)}
		if scope == "credential" {
			kv = append(kv, keyCredential.String(cred), keyFingerprint.String(fp))
		}
		return kv
	}))
	attrs := []slog.Attr{slog.String("scope", scope), slog.Int64("used", used), slog.Int64("limit", limit)}
	if scope == "credential" {
		attrs = append(attrs, slog.String("credential", cred), slog.String("fingerprint", fp))
	}
	t.logger.LogAttrs(ctx, slog.LevelWarn, "hubspot: daily API usage past the warning share", attrs...)
}
