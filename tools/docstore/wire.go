package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

// MongoDB wire protocol: OP_MSG for every command, OP_QUERY only for the first handshake
// (drivers send `isMaster` that way before they know the server speaks OP_MSG).
// https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013

	maxMessageSize = 48_000_000
	maxBSONSize    = 16 * 1024 * 1024

	flagChecksumPresent = 1 << 0
	flagMoreToCome      = 1 << 1
)

type header struct {
	length, requestID, responseTo, opCode int32
}

type request struct {
	header  header
	db      string
	cmd     primitive.D
	noReply bool
	legacy  bool // OP_QUERY: answer with OP_REPLY
}

func readRequest(r *bufio.Reader) (*request, error) {
	var raw [16]byte
	if _, err := io.ReadFull(r, raw[:]); err != nil {
		return nil, err
	}
	h := header{
		length:     int32(binary.LittleEndian.Uint32(raw[0:])),
		requestID:  int32(binary.LittleEndian.Uint32(raw[4:])),
		responseTo: int32(binary.LittleEndian.Uint32(raw[8:])),
		opCode:     int32(binary.LittleEndian.Uint32(raw[12:])),
	}
	if h.length < 16 || h.length > maxMessageSize {
		return nil, fmt.Errorf("message length %d out of range", h.length)
	}
	body := make([]byte, h.length-16)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	switch h.opCode {
	case opMsg:
		return parseMsg(h, body)
	case opQuery:
		return parseQuery(h, body)
	}
	return nil, fmt.Errorf("unsupported opcode %d", h.opCode)
}

func readCString(b []byte) (string, []byte, error) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", nil, errors.New("unterminated string")
	}
	return string(b[:i]), b[i+1:], nil
}

func readDocument(b []byte) (bson.Raw, []byte, error) {
	if len(b) < 5 {
		return nil, nil, errors.New("short document")
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 5 || n > len(b) {
		return nil, nil, errors.New("bad document length")
	}
	return bson.Raw(b[:n]), b[n:], nil
}

func parseMsg(h header, body []byte) (*request, error) {
	if len(body) < 4 {
		return nil, errors.New("short OP_MSG")
	}
	flags := binary.LittleEndian.Uint32(body)
	body = body[4:]
	if flags&flagChecksumPresent != 0 {
		body = body[:len(body)-4]
	}
	req := &request{header: h, noReply: flags&flagMoreToCome != 0}
	var sequences []primitive.E
	for len(body) > 0 {
		kind := body[0]
		body = body[1:]
		switch kind {
		case 0:
			doc, rest, err := readDocument(body)
			if err != nil {
				return nil, err
			}
			if err := bson.Unmarshal(doc, &req.cmd); err != nil {
				return nil, err
			}
			body = rest
		case 1:
			if len(body) < 4 {
				return nil, errors.New("short document sequence")
			}
			size := int(binary.LittleEndian.Uint32(body))
			if size < 4 || size > len(body) {
				return nil, errors.New("bad document sequence size")
			}
			section := body[4:size]
			body = body[size:]
			id, rest, err := readCString(section)
			if err != nil {
				return nil, err
			}
			docs := primitive.A{}
			for len(rest) > 0 {
				var raw bson.Raw
				if raw, rest, err = readDocument(rest); err != nil {
					return nil, err
				}
				var d primitive.D
				if err := bson.Unmarshal(raw, &d); err != nil {
					return nil, err
				}
				docs = append(docs, d)
			}
			sequences = append(sequences, primitive.E{Key: id, Value: docs})
		default:
			return nil, fmt.Errorf("unknown OP_MSG section kind %d", kind)
		}
	}
	req.cmd = append(req.cmd, sequences...)
	if db, ok := lookup(req.cmd, "$db").(string); ok {
		req.db = db
	}
	return req, nil
}

func parseQuery(h header, body []byte) (*request, error) {
	if len(body) < 4 {
		return nil, errors.New("short OP_QUERY")
	}
	ns, rest, err := readCString(body[4:])
	if err != nil {
		return nil, err
	}
	if len(rest) < 8 {
		return nil, errors.New("short OP_QUERY")
	}
	doc, _, err := readDocument(rest[8:])
	if err != nil {
		return nil, err
	}
	req := &request{header: h, legacy: true}
	if err := bson.Unmarshal(doc, &req.cmd); err != nil {
		return nil, err
	}
	if inner, ok := lookup(req.cmd, "$query").(primitive.D); ok {
		req.cmd = inner
	}
	db, coll, _ := bytes.Cut([]byte(ns), []byte("."))
	if string(coll) != "$cmd" {
		return nil, fmt.Errorf("OP_QUERY is only supported for commands, got %s", ns)
	}
	req.db = string(db)
	return req, nil
}

var nextRequestID atomic.Int32

func writeReply(w io.Writer, req *request, reply []byte) error {
	var buf bytes.Buffer
	hdr := make([]byte, 16)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(nextRequestID.Add(1)))
	binary.LittleEndian.PutUint32(hdr[8:], uint32(req.header.requestID))
	buf.Write(hdr)
	if req.legacy {
		binary.LittleEndian.PutUint32(hdr[12:], opReply)
		fields := make([]byte, 20)
		binary.LittleEndian.PutUint32(fields[16:], 1) // numberReturned
		buf.Write(fields)
	} else {
		binary.LittleEndian.PutUint32(hdr[12:], opMsg)
		buf.Write([]byte{0, 0, 0, 0, 0}) // flagBits, section kind 0
	}
	buf.Write(reply)
	out := buf.Bytes()
	copy(out[:16], hdr)
	binary.LittleEndian.PutUint32(out[0:], uint32(len(out)))
	_, err := w.Write(out)
	return err
}

// serveConn answers one client connection's requests in order until it disconnects.
func (srv *server) serveConn(conn net.Conn, connID int64) {
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 64*1024)
	w := bufio.NewWriterSize(conn, 64*1024)
	for {
		req, err := readRequest(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				srv.log.Debug("connection closed", "conn", connID, "error", err)
			}
			return
		}
		reply := srv.handle(req, connID)
		if req.noReply {
			continue
		}
		if err := writeReply(w, req, reply); err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			return
		}
	}
}
