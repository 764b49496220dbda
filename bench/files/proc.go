package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// idle samples the daemon's CPU time and RSS over window once it is settled.
func (w *world) idle(window time.Duration) (cpuShare float64, rss int64, err error) {
	time.Sleep(5 * time.Second) // let the first syncs settle
	pid := w.cmd.Process.Pid
	t0, err := cpuTicks(pid)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	time.Sleep(window)
	t1, err := cpuTicks(pid)
	if err != nil {
		return 0, 0, err
	}
	elapsed := time.Since(start).Seconds()
	rss, err = rssBytes(pid)
	return float64(t1-t0) / 100 / elapsed, rss, err // USER_HZ is 100 on Linux
}

func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st, nil
}

func rssBytes(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}
