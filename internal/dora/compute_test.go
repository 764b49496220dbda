package dora

import (
	"reflect"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// computeCase is a history and what one measure of it should be, over all
// apps (the tests here mostly use one app, so overall is that app).
type computeCase struct {
	name    string
	records []store.SyncRecord
	want    any
}

// runCases runs Compute on each case over the test window and compares
// measure(overall) with want.
func runCases(t *testing.T, cases []computeCase, measure func(Measures) any) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Compute(c.records, from, to)
			if got := measure(rep.Overall); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

type frequency struct {
	Deployments int
	PerDay      float64
}

func TestDeploymentFrequency(t *testing.T) {
	runCases(t, []computeCase{
		{name: "no records", want: frequency{}},
		{name: "five deployments in ten days", records: []store.SyncRecord{
			ok("web", "a", 1), ok("web", "b", 30), ok("web", "c", 50), ok("db", "x", 70), ok("db", "y", 200),
		}, want: frequency{5, 0.5}},
		{name: "drift corrections, noops and unchanged syncs are not deployments", records: []store.SyncRecord{
			ok("web", "a", 1),
			ok("web", "a", 2, trigger(plumb.TriggerDrift)),                            // selfHeal after a watcher saw drift
			ok("web", "a", 3, trigger(plumb.TriggerInterval), driftOnly),              // drift found by a periodic reconcile
			ok("web", "a", 4, trigger(plumb.TriggerManual), unchangedOnly),            // nothing written
			ok("web", "a", 5, trigger(plumb.TriggerManual), result(store.ResultNoop)), // target already matched
			ok("web", "b", 6, result(store.ResultSkipped)),                            // commit did not touch the app
			ok("web", "c", 7, result(store.ResultRunning)),
			ok("web", "c", 8, result(store.ResultInterrupted)),
		}, want: frequency{1, 0.1}},
		{name: "a drift-triggered sync that also applies Git changes is still a drift correction", records: []store.SyncRecord{
			ok("web", "a", 1, trigger(plumb.TriggerDrift)),
		}, want: frequency{0, 0}},
		{name: "a rollback is a deployment, even when its actions read as drift", records: []store.SyncRecord{
			ok("web", "a", 1), ok("web", "b", 2), ok("web", "a", 3, trigger(plumb.TriggerRollback)),
			ok("web", "b", 4, trigger(plumb.TriggerRollback), driftOnly),
		}, want: frequency{4, 0.4}},
		{name: "a retry after a failure that applies the new revision is a deployment", records: []store.SyncRecord{
			failed("web", "a", 1), ok("web", "a", 2, trigger(plumb.TriggerInterval)),
		}, want: frequency{1, 0.1}},
		{name: "records before the window and from its end on are not counted", records: []store.SyncRecord{
			ok("web", "a", -1), ok("web", "b", 0), ok("web", "c", 239.9), ok("web", "d", 240), ok("web", "e", 300),
		}, want: frequency{2, 0.2}},
	}, func(m Measures) any { return frequency{m.Deployments, m.DeploymentsPerDay} })
}

func TestLeadTime(t *testing.T) {
	m := time.Minute // records finish a minute after they start
	runCases(t, []computeCase{
		{name: "no deployments", want: Durations{}},
		{name: "median and p90 interpolate", records: []store.SyncRecord{
			ok("web", "a", 10, committed(9)), ok("web", "b", 20, committed(18)), ok("web", "c", 30, committed(26)),
		}, want: dur(3, hours(2)+m, hours(3.6)+m)},
		{name: "one sample", records: []store.SyncRecord{ok("web", "a", 10, committed(5))}, want: dur(1, hours(5)+m, hours(5)+m)},
		{name: "zero commit times and commits after the deployment are skipped", records: []store.SyncRecord{
			ok("web", "a", 10), ok("web", "b", 20, committed(21)), ok("web", "c", 30, committed(29)),
		}, want: dur(1, hours(1)+m, hours(1)+m)},
		{name: "rollbacks and redeployments of a revision measure no change", records: []store.SyncRecord{
			ok("web", "a", 10, committed(9)), ok("web", "b", 20, committed(19)),
			ok("web", "a", 30, committed(9), trigger(plumb.TriggerRollback)),
			ok("web", "b", 40, committed(19), trigger(plumb.TriggerManual)), // resumed after the rollback
		}, want: dur(2, hours(1)+m, hours(1)+m)},
		{name: "a revision deployed before the window is not measured again", records: []store.SyncRecord{
			ok("web", "a", -5, committed(-6)), ok("web", "b", 1, committed(0)),
			ok("web", "a", 10, committed(-6), trigger(plumb.TriggerManual)),
		}, want: dur(1, hours(1)+m, hours(1)+m)},
		{name: "the same revision deployed to two apps is measured for each", records: []store.SyncRecord{
			ok("web", "a", 10, committed(9)), ok("db", "a", 12, committed(9)),
		}, want: dur(2, hours(2)+m, hours(2.8)+m)},
		{name: "drift corrections and failed syncs have no lead time", records: []store.SyncRecord{
			ok("web", "a", 10, committed(9), trigger(plumb.TriggerDrift)), failed("web", "b", 20, committed(1)),
		}, want: Durations{}},
	}, func(m Measures) any { return m.LeadTime })
}

type failure struct {
	Attempts, Failed int
	Rate             float64
}

func TestChangeFailureRate(t *testing.T) {
	runCases(t, []computeCase{
		{name: "no attempts", want: failure{}},
		{name: "a deployment that ends Degraded failed", records: []store.SyncRecord{
			ok("web", "a", 1), ok("web", "b", 2, health(plumb.HealthDegraded)), ok("web", "c", 3), ok("web", "d", 4, health(plumb.HealthProgressing)),
		}, want: failure{4, 1, 0.25}},
		{name: "failed syncs of a new revision are one failed attempt until it succeeds", records: []store.SyncRecord{
			ok("web", "a", 1),
			failed("web", "b", 2), failed("web", "b", 3, trigger(plumb.TriggerInterval)), failed("web", "b", 4, trigger(plumb.TriggerManual)),
			ok("web", "b", 5, trigger(plumb.TriggerInterval)),
		}, want: failure{3, 1, float64(1) / 3}},
		{name: "a new revision during a run of failures is another attempt", records: []store.SyncRecord{
			ok("web", "a", 1), failed("web", "b", 2), failed("web", "c", 3), ok("web", "c", 4),
		}, want: failure{4, 2, 0.5}},
		{name: "failed syncs of the live revision and failed drift corrections are not attempts", records: []store.SyncRecord{
			ok("web", "a", 1),
			failed("web", "a", 2, trigger(plumb.TriggerManual)),   // target unreachable
			failed("web", "a", 3, trigger(plumb.TriggerInterval)), // and still
			failed("web", "a", 4, trigger(plumb.TriggerDrift)),
		}, want: failure{1, 0, 0}},
		{name: "with nothing known live, a failed sync counts unless it is an interval retry", records: []store.SyncRecord{
			failed("web", "a", 1, trigger(plumb.TriggerInterval)), failed("db", "x", 1, trigger(plumb.TriggerConfig)),
		}, want: failure{1, 1, 1}},
		{name: "the live revision is known from before the window", records: []store.SyncRecord{
			ok("web", "a", -10), failed("web", "a", 2, trigger(plumb.TriggerManual)), failed("web", "b", 3),
		}, want: failure{1, 1, 1}},
		{name: "a failed rollback is a failed attempt", records: []store.SyncRecord{
			ok("web", "a", 1), ok("web", "b", 2), failed("web", "a", 3, trigger(plumb.TriggerRollback)),
		}, want: failure{3, 1, float64(1) / 3}},
		{name: "drift corrections that end Degraded are not attempts", records: []store.SyncRecord{
			ok("web", "a", 1), ok("web", "a", 2, trigger(plumb.TriggerDrift), health(plumb.HealthDegraded)),
		}, want: failure{1, 0, 0}},
	}, func(m Measures) any { return failure{m.Attempts, m.FailedAttempts, m.ChangeFailureRate} })
}

type restore struct {
	TimeToRestore Durations
	Unrestored    int
}

func TestTimeToRestore(t *testing.T) {
	runCases(t, []computeCase{
		{name: "no failures", records: []store.SyncRecord{ok("web", "a", 1)}, want: restore{}},
		{name: "failed sync restored by the next healthy sync", records: []store.SyncRecord{
			ok("web", "a", 1), failed("web", "b", 10), ok("web", "b", 12),
		}, want: restore{dur(1, hours(2), hours(2)), 0}},
		{name: "a degraded deployment restored by a rollback", records: []store.SyncRecord{
			ok("web", "a", 1), ok("web", "b", 10, health(plumb.HealthDegraded)), ok("web", "a", 10.5, trigger(plumb.TriggerRollback)),
		}, want: restore{dur(1, hours(0.5), hours(0.5)), 0}},
		{name: "failures in between belong to the same incident", records: []store.SyncRecord{
			failed("web", "b", 10), failed("web", "b", 11, trigger(plumb.TriggerInterval)),
			ok("web", "b", 11.5, health(plumb.HealthDegraded)), ok("web", "b", 12, trigger(plumb.TriggerManual), health(plumb.HealthProgressing)),
			ok("web", "c", 13),
		}, want: restore{dur(1, hours(3), hours(3)), 0}},
		{name: "any failed sync opens an incident, a drift correction can restore", records: []store.SyncRecord{
			ok("web", "a", 1), failed("web", "a", 5, trigger(plumb.TriggerInterval)), ok("web", "a", 6, trigger(plumb.TriggerDrift), driftOnly),
		}, want: restore{dur(1, hours(1), hours(1)), 0}},
		{name: "median over incidents", records: []store.SyncRecord{
			failed("web", "a", 10), ok("web", "a", 11),
			failed("web", "b", 20), ok("web", "b", 23),
			failed("web", "c", 30), ok("web", "c", 32),
		}, want: restore{dur(3, hours(2), hours(2.8)), 0}},
		{name: "a failure never restored", records: []store.SyncRecord{
			ok("web", "a", 1), failed("web", "b", 10), ok("web", "b", 11, health(plumb.HealthDegraded)),
		}, want: restore{Durations{}, 1}},
		{name: "restored only after the window ends", records: []store.SyncRecord{
			failed("web", "b", 230), ok("web", "b", 250),
		}, want: restore{Durations{}, 1}},
		{name: "an incident that started before the window is not counted", records: []store.SyncRecord{
			failed("web", "b", -2), failed("web", "b", 1), ok("web", "b", 3),
		}, want: restore{Durations{}, 0}},
		{name: "another app's healthy sync does not restore", records: []store.SyncRecord{
			failed("web", "b", 10), ok("db", "x", 11), ok("web", "b", 14),
		}, want: restore{dur(1, hours(4), hours(4)), 0}},
		{name: "noop and skipped records carry no health and do not restore", records: []store.SyncRecord{
			failed("web", "b", 10), ok("web", "b", 11, result(store.ResultNoop)), ok("web", "c", 12, result(store.ResultSkipped)),
		}, want: restore{Durations{}, 1}},
	}, func(m Measures) any { return restore{m.TimeToRestore, m.Unrestored} })
}
