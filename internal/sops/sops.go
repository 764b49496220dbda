// Package sops reads and writes SOPS-encrypted YAML and JSON files with age
// keys, through the sops library itself so that files are interchangeable
// with the sops CLI.
//
// Keys are only ever the identities a caller loads from files it names
// (LoadIdentities): this package never lets sops look at the process
// environment (SOPS_AGE_KEY…) or the user's home directory, so one app's
// key cannot decrypt another app's files. Errors name files and keys,
// never decrypted values.
package sops

import (
	"bytes"
	"path"
	"strings"

	"github.com/getsops/sops/v3/logging"
	"github.com/sirupsen/logrus"
)

func init() {
	// sops logs each key it tries at info level on stderr; plumb reports
	// through errors instead.
	logging.SetLevel(logrus.ErrorLevel)
}

// Format is the syntax of a file.
type Format int

// The formats sops files come in here.
const (
	YAML Format = iota
	JSON
)

// FormatOf tells the format of a file by its name: .json is JSON,
// everything else YAML.
func FormatOf(name string) Format {
	if strings.EqualFold(path.Ext(name), ".json") {
		return JSON
	}
	return YAML
}

// IsEncrypted reports whether data looks like a SOPS-encrypted file: a
// top-level "sops" mapping holding a "mac". It does not parse data fully.
func IsEncrypted(data []byte) bool {
	return bytes.Contains(data, []byte("sops")) && bytes.Contains(data, []byte("mac")) &&
		(bytes.Contains(data, []byte("ENC[")) || bytes.Contains(data, []byte("age")))
}
