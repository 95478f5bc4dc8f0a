package main

import (
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// A thin layer over SQLite's C API (modernc.org/sqlite's pure-Go translation): statements are
// prepared once and reused. database/sql with that driver prepares the SQL text again on every
// execution, which cost more than the lookup itself. One connection, used under the store's lock.

type sqliteDB struct {
	tls   *libc.TLS
	db    uintptr
	stmts map[string]*sqliteStmt
}

type sqliteStmt struct {
	db    *sqliteDB
	p     uintptr
	sql   string
	busy  bool
	temp  bool // prepared because the cached one was in use; finalised on Close
	err   error
	ended bool
}

type sqliteError struct {
	code int32
	msg  string
}

func (e *sqliteError) Error() string { return e.msg }

func isConstraintError(err error) bool {
	e, ok := err.(*sqliteError)
	return ok && e.code&0xff == sqlite3.SQLITE_CONSTRAINT
}

func openSQLite(path string) (*sqliteDB, error) {
	d := &sqliteDB{tls: libc.NewTLS(), stmts: map[string]*sqliteStmt{}}
	pp := libc.Xmalloc(d.tls, 8)
	defer libc.Xfree(d.tls, pp)
	name, err := libc.CString(path)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(d.tls, name)
	rc := sqlite3.Xsqlite3_open_v2(d.tls, name, pp, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE, 0)
	d.db = *(*uintptr)(unsafe.Pointer(pp))
	if rc != sqlite3.SQLITE_OK {
		return nil, d.errorOf(rc)
	}
	sqlite3.Xsqlite3_extended_result_codes(d.tls, d.db, 1)
	return d, nil
}

func (d *sqliteDB) errorOf(rc int32) error {
	return &sqliteError{code: rc, msg: fmt.Sprintf("sqlite: %s (%d)", libc.GoString(sqlite3.Xsqlite3_errmsg(d.tls, d.db)), rc)}
}

func (d *sqliteDB) close() error {
	for _, s := range d.stmts {
		sqlite3.Xsqlite3_finalize(d.tls, s.p)
	}
	d.stmts = nil
	rc := sqlite3.Xsqlite3_close_v2(d.tls, d.db)
	d.tls.Close()
	if rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("sqlite: close failed (%d)", rc)
	}
	return nil
}

// execScript runs SQL text that may hold several statements and returns no rows.
func (d *sqliteDB) execScript(sql string) error {
	z, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(d.tls, z)
	if rc := sqlite3.Xsqlite3_exec(d.tls, d.db, z, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return d.errorOf(rc)
	}
	return nil
}

func (d *sqliteDB) prepare(sql string) (*sqliteStmt, error) {
	z, err := libc.CString(sql)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(d.tls, z)
	pp := libc.Xmalloc(d.tls, 8)
	defer libc.Xfree(d.tls, pp)
	if rc := sqlite3.Xsqlite3_prepare_v2(d.tls, d.db, z, -1, pp, 0); rc != sqlite3.SQLITE_OK {
		return nil, d.errorOf(rc)
	}
	return &sqliteStmt{db: d, p: *(*uintptr)(unsafe.Pointer(pp)), sql: sql}, nil
}

// statement returns the cached prepared statement for sql, bound to args and ready to step.
func (d *sqliteDB) statement(sql string, args ...any) (*sqliteStmt, error) {
	s := d.stmts[sql]
	if s == nil || s.busy {
		fresh, err := d.prepare(sql)
		if err != nil {
			return nil, err
		}
		if s == nil {
			d.stmts[sql] = fresh
		} else {
			fresh.temp = true
		}
		s = fresh
	}
	s.busy, s.err, s.ended = true, nil, false
	for i, a := range args {
		if err := s.bind(int32(i+1), a); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *sqliteStmt) bind(i int32, v any) error {
	t := s.db.tls
	var rc int32
	switch x := v.(type) {
	case int64:
		rc = sqlite3.Xsqlite3_bind_int64(t, s.p, i, x)
	case int:
		rc = sqlite3.Xsqlite3_bind_int64(t, s.p, i, int64(x))
	case []byte:
		if len(x) == 0 {
			rc = sqlite3.Xsqlite3_bind_zeroblob(t, s.p, i, 0)
			break
		}
		p := libc.Xmalloc(t, uint64(len(x)))
		copy(unsafe.Slice((*byte)(unsafe.Pointer(p)), len(x)), x)
		rc = sqlite3.Xsqlite3_bind_blob(t, s.p, i, p, int32(len(x)), sqlite3.SQLITE_TRANSIENT)
		libc.Xfree(t, p)
	case string:
		p, err := libc.CString(x)
		if err != nil {
			return err
		}
		rc = sqlite3.Xsqlite3_bind_text(t, s.p, i, p, int32(len(x)), sqlite3.SQLITE_TRANSIENT)
		libc.Xfree(t, p)
	default:
		return fmt.Errorf("sqlite: cannot bind %T", v)
	}
	if rc != sqlite3.SQLITE_OK {
		return s.db.errorOf(rc)
	}
	return nil
}

// Next steps to the next row; false at the end or on an error (see Err).
func (s *sqliteStmt) Next() bool {
	if s.ended {
		return false
	}
	switch rc := sqlite3.Xsqlite3_step(s.db.tls, s.p); rc {
	case sqlite3.SQLITE_ROW:
		return true
	case sqlite3.SQLITE_DONE:
	default:
		s.err = s.db.errorOf(rc)
	}
	s.ended = true
	return false
}

func (s *sqliteStmt) Err() error { return s.err }

// Scan copies the current row's columns into *[]byte, *int64, *string or *bool.
func (s *sqliteStmt) Scan(dest ...any) error {
	t := s.db.tls
	for i, d := range dest {
		col := int32(i)
		switch p := d.(type) {
		case *[]byte:
			ptr := sqlite3.Xsqlite3_column_blob(t, s.p, col)
			n := sqlite3.Xsqlite3_column_bytes(t, s.p, col)
			*p = make([]byte, n)
			if n > 0 {
				copy(*p, unsafe.Slice((*byte)(unsafe.Pointer(ptr)), n))
			}
		case *int64:
			*p = sqlite3.Xsqlite3_column_int64(t, s.p, col)
		case *bool:
			*p = sqlite3.Xsqlite3_column_int64(t, s.p, col) != 0
		case *string:
			ptr := sqlite3.Xsqlite3_column_text(t, s.p, col)
			n := sqlite3.Xsqlite3_column_bytes(t, s.p, col)
			*p = string(unsafe.Slice((*byte)(unsafe.Pointer(ptr)), n))
		default:
			return fmt.Errorf("sqlite: cannot scan into %T", d)
		}
	}
	return nil
}

// Close resets the statement for its next use (or finalises a temporary one).
func (s *sqliteStmt) Close() error {
	t := s.db.tls
	if s.temp {
		sqlite3.Xsqlite3_finalize(t, s.p)
		return nil
	}
	sqlite3.Xsqlite3_reset(t, s.p)
	sqlite3.Xsqlite3_clear_bindings(t, s.p)
	s.busy = false
	return nil
}

// exec runs a statement that returns no rows; it reports the rowid of an insert.
func (d *sqliteDB) exec(sql string, args ...any) (lastInsertID int64, err error) {
	s, err := d.statement(sql, args...)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	for s.Next() {
	}
	if s.err != nil {
		return 0, s.err
	}
	return sqlite3.Xsqlite3_last_insert_rowid(d.tls, d.db), nil
}
