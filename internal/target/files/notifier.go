package files

import (
	"errors"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// errEventsLost tells a subscriber that it fell behind and events were
// dropped; the watcher then re-checks everything, as after an inotify
// overflow.
var errEventsLost = errors.New("file events lost: subscriber fell behind")

// notifier shares one fsnotify watcher among every Watch of one root, so
// that the number of inotify instances does not grow with the number of
// apps (the default limit is 128 per user). Directories are reference
// counted per subscription; every event goes to every subscription, and
// each watcher keeps the ones about its own files.
type notifier struct {
	mu   sync.Mutex
	fw   *fsnotify.Watcher
	dirs map[string]int
	subs map[*subscription]struct{}
}

// subscription is one Watch's view of the shared watcher.
type subscription struct {
	n      *notifier
	Events chan fsnotify.Event
	Errors chan error
	dirs   map[string]bool
}

// subscribe starts the shared watcher if needed and adds a subscription.
func (n *notifier) subscribe() (*subscription, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fw == nil {
		fw, err := fsnotify.NewWatcher()
		if err != nil {
			return nil, err
		}
		n.fw, n.dirs, n.subs = fw, map[string]int{}, map[*subscription]struct{}{}
		go n.pump(fw)
	}
	s := &subscription{n: n, Events: make(chan fsnotify.Event, 512), Errors: make(chan error, 1), dirs: map[string]bool{}}
	n.subs[s] = struct{}{}
	return s, nil
}

// pump fans the watcher's events out until the watcher is closed.
func (n *notifier) pump(fw *fsnotify.Watcher) {
	for {
		select {
		case ev, ok := <-fw.Events:
			if !ok {
				return
			}
			n.fanout(fw, func(s *subscription) bool { return send(s.Events, ev) })
		case err, ok := <-fw.Errors:
			if !ok {
				return
			}
			n.fanout(fw, func(s *subscription) bool { return send(s.Errors, err) })
		}
	}
}

// fanout delivers to every subscription of fw without blocking; one that
// cannot take an event is told that it lost events.
func (n *notifier) fanout(fw *fsnotify.Watcher, deliver func(*subscription) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fw != fw {
		return
	}
	for s := range n.subs {
		if !deliver(s) {
			send(s.Errors, errEventsLost)
		}
	}
}

func send[T any](ch chan T, v T) bool {
	select {
	case ch <- v:
		return true
	default:
		return false
	}
}

// Add watches dir for this subscription. It always asks the watcher again,
// so a watch the kernel dropped (its directory was replaced) comes back.
func (s *subscription) Add(dir string) error {
	s.n.mu.Lock()
	defer s.n.mu.Unlock()
	if err := s.n.fw.Add(dir); err != nil {
		return err
	}
	if !s.dirs[dir] {
		s.dirs[dir] = true
		s.n.dirs[dir]++
	}
	return nil
}

// Remove stops watching dir for this subscription; the shared watch goes
// when no subscription needs it.
func (s *subscription) Remove(dir string) error {
	s.n.mu.Lock()
	defer s.n.mu.Unlock()
	return s.removeLocked(dir)
}

func (s *subscription) removeLocked(dir string) error {
	if !s.dirs[dir] {
		return nil
	}
	delete(s.dirs, dir)
	if s.n.dirs[dir]--; s.n.dirs[dir] > 0 {
		return nil
	}
	delete(s.n.dirs, dir)
	return s.n.fw.Remove(dir)
}

// Close ends the subscription; the last one closes the shared watcher
// (outside the lock: fsnotify's Close may wait for an event the pump is
// delivering under it).
func (s *subscription) Close() error {
	s.n.mu.Lock()
	for dir := range s.dirs {
		_ = s.removeLocked(dir)
	}
	delete(s.n.subs, s)
	if len(s.n.subs) > 0 {
		s.n.mu.Unlock()
		return nil
	}
	fw := s.n.fw
	s.n.fw, s.n.dirs, s.n.subs = nil, nil, nil
	s.n.mu.Unlock()
	return fw.Close()
}

// count returns how many subscriptions the notifier has.
func (n *notifier) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.subs)
}
