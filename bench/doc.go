// Package bench holds plumb's benchmarks: programs that run the real binary
// against real parts and print figures. Run them with `go run ./bench/NAME`;
// each prints what it measured and how.
package bench
