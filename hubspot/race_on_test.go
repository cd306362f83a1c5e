//go:build race

package hubspot_test

// raceDetector says the tests run with -race, whose sync.Pool drops items
// at random: allocation bounds do not hold under it.
const raceDetector = true
