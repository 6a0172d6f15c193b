// The Go driver's `coverage` mode (written into the coverage build as perforch_cover_test.go).
// Only the coverage build has it: `go test -c -cover` makes a test binary of the same package
// (driver, glue, inputs and target.go), whose testing package writes a text coverage profile
// in-process; the build the timing modes use stays a plain `go build`.
//
// Runs each case once and prints {"lines": [...], "executable": [...]}: the lines of the source
// file that ran, and those in any coverage block (a block that ran counts all its lines, from
// start to end). Only the calls count, as in the other languages: a test binary's counters
// cannot be cleared, so the binary first runs itself without the calls (package initialisation
// and the inputs' construction only) and a block counts when the calls added to its count.
package main

import (
	"bufio"
	"flag"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The mode of the run without the calls. Generated beside this file (go.coverage_program):
// perforchCoverFile, target.go's name in the profile; perforchCoverShift, how many lines
// target.go has before the source's first line (a package clause put in front); and
// perforchCoverLines, how many lines the source has.
const perforchBaseline = "perforch-baseline"

func TestMain(m *testing.M) {
	flag.Parse()
	mode := flag.Arg(0)
	if flag.NArg() != 1 || (mode != "coverage" && mode != perforchBaseline) {
		perforchFail(2, "this build has one mode: coverage (got %q)", flag.Args())
	}
	profile := flag.Lookup("test.coverprofile").Value.String()
	baseline := profile + ".base"
	templates := perforchLoad()
	if mode == "coverage" {
		self := exec.Command(os.Args[0], "-test.coverprofile="+baseline, perforchBaseline)
		self.Stderr = os.Stderr
		if err := self.Run(); err != nil {
			perforchFail(4, "the run without the calls failed: %v", err)
		}
		calls := make([]perforchCall, 1)
		out := make([]perforchOut, 1)
		for i := range templates {
			perforchCopyInto(&calls[0], &templates[i])
			perforchInvoke(calls, out) // a panicking call is recovered there; its lines ran
		}
	}
	// The testing package's own report ("PASS", the percentage) is not protocol output.
	stdout := os.Stdout
	os.Stdout = os.Stderr
	code := m.Run() // writes the profile named by -test.coverprofile
	os.Stdout = stdout
	if code != 0 || mode == perforchBaseline {
		os.Exit(code)
	}
	before, err := perforchReadProfile(baseline)
	if err == nil {
		var after map[[2]int]int
		if after, err = perforchReadProfile(profile); err == nil {
			ran, executable := perforchLinesRun(before, after)
			perforchEmit("lines", ran, "executable", executable)
			return
		}
	}
	perforchFail(4, "reading the coverage profile: %v", err)
}

// perforchLinesRun maps the blocks of target.go to the source's lines: all that are in a block,
// and those in a block whose count the calls raised.
func perforchLinesRun(before, after map[[2]int]int) (ran, executable []int) {
	hit, seen := map[int]bool{}, map[int]bool{}
	for span, count := range after {
		for n := span[0] - perforchCoverShift; n <= span[1]-perforchCoverShift; n++ {
			if n < 1 || n > perforchCoverLines {
				continue
			}
			seen[n] = true
			if count > before[span] {
				hit[n] = true
			}
		}
	}
	return perforchSorted(hit), perforchSorted(seen)
}

// perforchReadProfile reads `go test -coverprofile` text ("mode: M", then one line per block,
// "FILE:START.COL,END.COL STATEMENTS COUNT"): target.go's blocks, as their first and last
// lines, with their counts.
func perforchReadProfile(path string) (map[[2]int]int, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	counts := map[[2]int]int{}
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := scanner.Text()
		colon := strings.LastIndexByte(line, ':')
		if colon < 0 || line[:colon] != perforchCoverFile {
			continue
		}
		fields := strings.Fields(line[colon+1:])
		if len(fields) != 3 {
			continue
		}
		span := strings.Split(fields[0], ",")
		if len(span) != 2 {
			continue
		}
		start, err1 := strconv.Atoi(strings.Split(span[0], ".")[0])
		end, err2 := strconv.Atoi(strings.Split(span[1], ".")[0])
		count, err3 := strconv.Atoi(fields[2])
		if err1 == nil && err2 == nil && err3 == nil {
			counts[[2]int{start, end}] += count
		}
	}
	return counts, scanner.Err()
}

func perforchSorted(set map[int]bool) []int {
	lines := make([]int, 0, len(set))
	for n := range set {
		lines = append(lines, n)
	}
	slices.Sort(lines)
	return lines
}
