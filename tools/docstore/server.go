package main

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

type server struct {
	log     *slog.Logger
	started time.Time

	// mu serialises every operation on the storage: a command sees the state every earlier
	// command left and no other command's half-done work.
	mu      sync.Mutex
	st      *storage
	cursors map[int64]*cursor
	top     map[string]*nsCounters
	slowLog time.Duration

	connections atomic.Int64
	nextConnID  atomic.Int64
	nextCursor  int64
}

type cursor struct {
	ns       string
	docs     []bson.Raw
	lastUsed time.Time
}

// command is a handler of one command; db is the `$db` of the request.
type command func(srv *server, db string, cmd primitive.D) (primitive.D, error)

// commands that need no lock (they do not touch the storage).
var lockFree = map[string]bool{
	"hello": true, "ismaster": true, "isMaster": true, "ping": true, "buildInfo": true, "buildinfo": true,
	"whatsmyuri": true, "getParameter": true, "hostInfo": true, "getCmdLineOpts": true,
	"connectionStatus": true, "endSessions": true, "getLog": true, "getFreeMonitoringStatus": true,
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"hello": cmdHello, "ismaster": cmdHello, "isMaster": cmdHello,
		"ping":      func(*server, string, primitive.D) (primitive.D, error) { return ok(), nil },
		"buildInfo": cmdBuildInfo, "buildinfo": cmdBuildInfo,
		"whatsmyuri": func(*server, string, primitive.D) (primitive.D, error) {
			return ok(primitive.E{Key: "you", Value: "127.0.0.1:0"}), nil
		},
		"getParameter": cmdGetParameter,
		"hostInfo":     cmdHostInfo,
		"getCmdLineOpts": func(*server, string, primitive.D) (primitive.D, error) {
			return ok(primitive.E{Key: "argv", Value: primitive.A{}}), nil
		},
		"getLog": func(*server, string, primitive.D) (primitive.D, error) {
			return ok(primitive.E{Key: "log", Value: primitive.A{}}), nil
		},
		"connectionStatus": func(*server, string, primitive.D) (primitive.D, error) {
			return ok(primitive.E{Key: "authInfo", Value: primitive.D{
				{Key: "authenticatedUsers", Value: primitive.A{}}, {Key: "authenticatedUserRoles", Value: primitive.A{}}}}), nil
		},
		"endSessions": func(*server, string, primitive.D) (primitive.D, error) { return ok(), nil },
		"getFreeMonitoringStatus": func(*server, string, primitive.D) (primitive.D, error) {
			return ok(primitive.E{Key: "state", Value: "disabled"}), nil
		},
		"serverStatus":    cmdServerStatus,
		"top":             cmdTop,
		"listDatabases":   cmdListDatabases,
		"dropDatabase":    cmdDropDatabase,
		"create":          cmdCreate,
		"drop":            cmdDrop,
		"listCollections": cmdListCollections,
		"createIndexes":   cmdCreateIndexes,
		"listIndexes":     cmdListIndexes,
		"dropIndexes":     cmdDropIndexes,
		"deleteIndexes":   cmdDropIndexes,
		"dbStats":         cmdDBStats,
		"collStats":       cmdCollStats,
		"find":            cmdFind,
		"getMore":         cmdGetMore,
		"killCursors":     cmdKillCursors,
		"insert":          cmdInsert,
		"update":          cmdUpdate,
		"delete":          cmdDelete,
		"findAndModify":   cmdFindAndModify,
		"findandmodify":   cmdFindAndModify,
		"count":           cmdCount,
		"distinct":        cmdDistinct,
		"aggregate":       cmdAggregate,
		"explain":         cmdExplain,
	}
}

func ok(fields ...primitive.E) primitive.D {
	return append(primitive.D(fields), primitive.E{Key: "ok", Value: 1.0})
}

func errorReply(err error) primitive.D {
	var ce *commandError
	if !errors.As(err, &ce) {
		ce = &commandError{Code: codeInternal, Message: err.Error()}
	}
	d := primitive.D{
		{Key: "ok", Value: 0.0},
		{Key: "errmsg", Value: ce.Message},
		{Key: "code", Value: int32(ce.Code)},
		{Key: "codeName", Value: codeNames[ce.Code]},
	}
	return d
}

// handle runs one request and returns the encoded reply document.
func (srv *server) handle(req *request, connID int64) []byte {
	reply := srv.dispatch(req, connID)
	raw, err := bson.Marshal(reply)
	if err != nil {
		raw, _ = bson.Marshal(errorReply(err))
	}
	return raw
}

func (srv *server) dispatch(req *request, connID int64) primitive.D {
	if len(req.cmd) == 0 {
		return errorReply(errf(codeFailedToParse, "empty command"))
	}
	name := req.cmd[0].Key
	handler, known := commands[name]
	if !known {
		return errorReply(errf(codeCommandNotFound, "no such command: '%s'", name))
	}
	if name == "hello" || strings.EqualFold(name, "ismaster") {
		return helloReply(connID)
	}
	if lockFree[name] {
		reply, err := handler(srv, req.db, req.cmd)
		if err != nil {
			return errorReply(err)
		}
		return reply
	}
	start := time.Now()
	srv.mu.Lock()
	reply, err := handler(srv, req.db, req.cmd)
	elapsed := time.Since(start)
	srv.count(req.db, name, req.cmd, elapsed)
	srv.mu.Unlock()
	if elapsed > srv.slowLog {
		srv.log.Warn("slow command", "command", name, "db", req.db, "ms", elapsed.Milliseconds(),
			"collection", req.cmd[0].Value)
	}
	if err != nil {
		srv.log.Debug("command failed", "command", name, "db", req.db, "error", err)
		return errorReply(err)
	}
	return reply
}

func helloReply(connID int64) primitive.D {
	return ok(
		primitive.E{Key: "helloOk", Value: true},
		primitive.E{Key: "ismaster", Value: true},
		primitive.E{Key: "isWritablePrimary", Value: true},
		primitive.E{Key: "maxBsonObjectSize", Value: int32(maxBSONSize)},
		primitive.E{Key: "maxMessageSizeBytes", Value: int32(maxMessageSize)},
		primitive.E{Key: "maxWriteBatchSize", Value: int32(100_000)},
		primitive.E{Key: "localTime", Value: primitive.NewDateTimeFromTime(time.Now())},
		primitive.E{Key: "logicalSessionTimeoutMinutes", Value: int32(30)},
		primitive.E{Key: "connectionId", Value: int32(connID)},
		primitive.E{Key: "minWireVersion", Value: int32(0)},
		primitive.E{Key: "maxWireVersion", Value: int32(21)},
		primitive.E{Key: "readOnly", Value: false},
	)
}

func cmdHello(*server, string, primitive.D) (primitive.D, error) { return helloReply(0), nil }

const storeVersion = "7.0.0"

func cmdBuildInfo(*server, string, primitive.D) (primitive.D, error) {
	return ok(
		primitive.E{Key: "version", Value: storeVersion},
		primitive.E{Key: "gitVersion", Value: "docstore"},
		primitive.E{Key: "versionArray", Value: primitive.A{int32(7), int32(0), int32(0), int32(0)}},
		primitive.E{Key: "bits", Value: int32(64)},
		primitive.E{Key: "maxBsonObjectSize", Value: int32(maxBSONSize)},
		primitive.E{Key: "storageEngines", Value: primitive.A{"sqlite"}},
	), nil
}

func cmdGetParameter(_ *server, _ string, cmd primitive.D) (primitive.D, error) {
	if lookup(cmd, "featureCompatibilityVersion") != missing {
		return ok(primitive.E{Key: "featureCompatibilityVersion", Value: primitive.D{{Key: "version", Value: "7.0"}}}), nil
	}
	return ok(), nil
}

func cmdHostInfo(*server, string, primitive.D) (primitive.D, error) {
	host, _ := os.Hostname()
	return ok(primitive.E{Key: "system", Value: primitive.D{{Key: "hostname", Value: host}}}), nil
}

// serve accepts connections until the listener closes.
func (srv *server) serve(l net.Listener) error {
	go srv.expireCursors()
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		id := srv.nextConnID.Add(1)
		srv.connections.Add(1)
		go func() {
			defer srv.connections.Add(-1)
			srv.serveConn(conn, id)
		}()
	}
}

// expireCursors forgets cursors idle for 10 minutes, as MongoDB does.
func (srv *server) expireCursors() {
	for range time.Tick(time.Minute) {
		srv.mu.Lock()
		for id, c := range srv.cursors {
			if time.Since(c.lastUsed) > 10*time.Minute {
				delete(srv.cursors, id)
			}
		}
		srv.mu.Unlock()
	}
}
