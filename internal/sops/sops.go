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
	"fmt"
	"path"
	"strings"

	goyaml "go.yaml.in/yaml/v3"

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

// IsEncrypted reports whether data is a SOPS-encrypted YAML or JSON file:
// its (first) document has a top-level "sops" mapping with a "mac".
func IsEncrypted(data []byte) bool {
	if !bytes.Contains(data, []byte("sops")) {
		return false
	}
	var doc struct {
		Sops map[string]any `yaml:"sops"`
	}
	if err := goyaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return false
	}
	_, ok := doc.Sops["mac"]
	return ok
}

// DecryptIfEncrypted returns data decrypted when it is a SOPS file and
// unchanged otherwise; errors name the file.
func DecryptIfEncrypted(file string, data []byte, ids *Identities) ([]byte, error) {
	if !IsEncrypted(data) {
		return data, nil
	}
	out, err := Decrypt(data, FormatOf(file), ids)
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", file, err)
	}
	return out, nil
}
