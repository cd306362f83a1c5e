package pgbudget_test

import (
	"context"
	"log"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/pgbudget"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

// Four replicas of one integration share the app's 190 requests per ten
// seconds: each runs this with the same database and token.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	provider, err := env.New("HUBSPOT_TOKEN")
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := secrets.NewCache(provider)
	if err != nil {
		log.Fatal(err)
	}
	defer tokens.Close()

	logger := slog.Default()
	c, err := hubspot.New(
		hubspot.WithToken(tokens),
		hubspot.WithLogger(logger),
		hubspot.WithRateLimit(hubspot.LimitProfessional()),
		hubspot.WithSharedBudget(hubspot.SharedBudget{
			Budget:   pgbudget.New(pool),
			Replicas: 4,
			OnError: func(err error) {
				// While PostgreSQL is unreachable this replica keeps to
				// 190/4 requests per ten seconds; tell the health check.
				logger.Error("rate budget degraded", "error", err)
			},
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Contacts.Get(ctx, "1", nil); err != nil {
		log.Print(err)
	}
}
