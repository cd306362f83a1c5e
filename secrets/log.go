package secrets

import "log/slog"

func versionLogValue(v Version) slog.Value {
	attrs := []slog.Attr{
		slog.String("id", v.ID),
		slog.String("source", v.Source),
		slog.String("fingerprint", v.Value.Fingerprint()),
	}
	if !v.ExpiresAt.IsZero() {
		attrs = append(attrs, slog.Time("expires_at", v.ExpiresAt))
	}
	return slog.GroupValue(attrs...)
}
