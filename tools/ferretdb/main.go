// Command ferretdb runs an embedded FerretDB 1.x (MongoDB wire protocol on SQLite or
// PostgreSQL) on loopback. The project's default store is tools/docstore; this build is kept for
// the store comparison benchmark (bench/store.bench.mjs). It exists because
// `go install .../cmd/ferretdb` panics at start for module builds (FerretDB issue #2982);
// embedding the library package does not.
//
// Usage: ferretdb -listen 127.0.0.1:27017 -data ./.data/ferretdb
//
//	ferretdb -listen 127.0.0.1:27017 -postgresql-url postgres://user@127.0.0.1:5432/ferretdb
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (loopback only)")
	dataDir := flag.String("data", ".data/ferretdb", "directory for the SQLite files")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	postgresURL := flag.String("postgresql-url", "", "use FerretDB's PostgreSQL handler on this database instead of SQLite")
	flag.Parse()

	if err := run(*listen, *dataDir, *logLevel, *postgresURL); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, logLevel, postgresURL string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("bad -listen %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-listen must be a loopback address, got %q", host)
	}

	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return err
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// The embedded package disables telemetry itself; nothing here reaches the network.
	config := &ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	}
	if postgresURL != "" {
		config.Handler, config.PostgreSQLURL, config.SQLiteURL = "postgresql", postgresURL, ""
	}
	f, err := ferretdb.New(config)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger.Info("listening", "address", listen, "data", abs)
	f.Run(ctx)
	return nil
}
