// Command docstore is a small MongoDB-wire-protocol document store on SQLite, the embedded default
// store for local development, tests and benchmarks. It answers the commands the services'
// driver (mongoose / the Node.js driver) sends, with real secondary indexes: equality, range and
// sorted queries read one B-tree interval, so their cost does not grow with the collection.
// Production deployments use MongoDB; the services rely only on what both provide (see the
// README, "Embedded store").
//
// Usage: docstore -listen 127.0.0.1:27017 -data ./.data/docstore [-sync full] [-log-level info]
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
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (loopback only)")
	dataDir := flag.String("data", ".data/docstore", "directory of the SQLite database file")
	sync := flag.String("sync", "normal", "normal: durable when the process dies; full: also when the machine does (fsync per write)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	slow := flag.Duration("slow", 200*time.Millisecond, "log commands slower than this")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile (go tool pprof) to this file until the store stops")
	flag.Parse()

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "docstore:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	if err := run(*listen, *dataDir, *sync, *logLevel, *slow); err != nil {
		fmt.Fprintln(os.Stderr, "docstore:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(listen, dataDir, sync, logLevel string, slow time.Duration) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("bad -listen %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-listen must be a loopback address (the store has no authentication), got %q", host)
	}
	if sync != "normal" && sync != "full" {
		return fmt.Errorf("-sync must be normal or full, got %q", sync)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", logLevel, err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return err
	}
	st, err := openStorage(abs, sync == "full")
	if err != nil {
		return fmt.Errorf("open %s: %w", abs, err)
	}
	srv := &server{
		log: log, started: time.Now(), st: st, slowLog: slow,
		cursors: map[int64]*cursor{}, top: map[string]*nsCounters{},
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	log.Info("listening", "address", listen, "data", abs, "sync", sync)
	if err := srv.serve(l); err != nil {
		return err
	}
	// Let commands in flight finish, then close the database cleanly (checkpointing the WAL).
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return st.close()
}
