package main

import "fmt"

// MongoDB error codes the store answers with, so that drivers and applications react as they do
// to a real server (mongoose and the services check 11000 for "already exists").
const (
	codeInternal          = 1
	codeBadValue          = 2
	codeFailedToParse     = 9
	codeTypeMismatch      = 14
	codeInvalidLength     = 16
	codeNamespaceNotFound = 26
	codeIndexNotFound     = 27
	codePathNotViable     = 28
	codeCursorNotFound    = 43
	codeNamespaceExists   = 48
	codeCommandNotFound   = 59
	codeImmutableField    = 66
	codeInvalidNamespace  = 73
	codeIndexOptionsConfl = 85
	codeIndexKeySpecsConf = 86
	codeNotImplemented    = 238
	codeLocation15974     = 15974
	codeDuplicateKey      = 11000
)

var codeNames = map[int]string{
	codeInternal:          "InternalError",
	codeBadValue:          "BadValue",
	codeFailedToParse:     "FailedToParse",
	codeTypeMismatch:      "TypeMismatch",
	codeInvalidLength:     "InvalidLength",
	codeNamespaceNotFound: "NamespaceNotFound",
	codeIndexNotFound:     "IndexNotFound",
	codePathNotViable:     "PathNotViable",
	codeCursorNotFound:    "CursorNotFound",
	codeNamespaceExists:   "NamespaceExists",
	codeCommandNotFound:   "CommandNotFound",
	codeImmutableField:    "ImmutableField",
	codeInvalidNamespace:  "InvalidNamespace",
	codeIndexOptionsConfl: "IndexOptionsConflict",
	codeIndexKeySpecsConf: "IndexKeySpecsConflict",
	codeNotImplemented:    "NotImplemented",
	codeDuplicateKey:      "DuplicateKey",
}

// commandError is an error the client sees as {ok: 0, code, codeName, errmsg}.
type commandError struct {
	Code    int
	Message string
	// Extra fields of a duplicate-key write error (keyPattern, keyValue).
	Extra []any
}

func (e *commandError) Error() string { return e.Message }

func errf(code int, format string, args ...any) *commandError {
	return &commandError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func notSupported(what string) *commandError {
	return errf(codeNotImplemented, "%s is not supported by this embedded store", what)
}
