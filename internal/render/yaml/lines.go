package yaml

import (
	"fmt"
	"strconv"
	"strings"
)

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). For these, yaml.v3 reports the 0-based line of its mark, one
// less than the line an editor shows; syntaxError corrects it.
var parserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// syntaxError turns a yaml.v3 error into "FILE: line N: PROBLEM" with N
// counted from 1.
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return fmt.Errorf("%s: %s", file, msg)
	}
	num, problem, ok := strings.Cut(rest, ": ")
	line, err2 := strconv.Atoi(num)
	if !ok || err2 != nil {
		return fmt.Errorf("%s: %s", file, msg)
	}
	for _, p := range parserProblems {
		if problem == p {
			line++
			break
		}
	}
	return fmt.Errorf("%s: line %d: %s", file, line, problem)
}
