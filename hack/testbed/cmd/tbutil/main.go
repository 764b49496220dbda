// Command tbutil is the testbed script's helper, standard library only:
//
//	tbutil pki DIR                 write CA, apiserver serving cert, admin client cert, SA keys
//	tbutil ports N                 print N free TCP ports on 127.0.0.1, one a line
//	tbutil http PKI METHOD URL [F] request URL as admin (client cert from PKI), body from file F;
//	                               print the response body, exit 1 on a non-2xx status
//	tbutil node-ready PKI URL NAME exit 0 when node NAME has condition Ready=True
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tbutil:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: tbutil pki|ports|http|node-ready ...")
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "pki" && len(rest) == 1:
		return writePKI(rest[0])
	case cmd == "ports" && len(rest) == 1:
		return ports(rest[0])
	case cmd == "http" && (len(rest) == 3 || len(rest) == 4):
		return request(rest)
	case cmd == "node-ready" && len(rest) == 3:
		return nodeReady(rest[0], rest[1], rest[2])
	}
	return fmt.Errorf("bad arguments: %q", args)
}

// ports prints n distinct free ports. They are free when printed; the
// caller starts its servers right after.
func ports(arg string) error {
	n, err := strconv.Atoi(arg)
	if err != nil {
		return err
	}
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ls = append(ls, l)
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
	}
	return nil
}
