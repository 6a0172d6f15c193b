// PerfOrch's Rust `coverage` mode: a small program of its own in the coverage build (see
// rust.coverage_program), next to a driver built unoptimised with line tables. The build the
// timing modes use is not touched.
//
//     perforch_coverage VALGRIND SOURCE coverage
//
// Runs the driver's `outputs` mode (each case once) under valgrind's callgrind, collecting
// only inside the driver's per-case closures (so building the inputs does not count), then
// reads callgrind's profile and prints {"lines": [...]}: the lines of SOURCE (the file under
// test, by file name) that executed at least one instruction. Standard library only.
use std::collections::BTreeSet;
use std::process::{Command, Stdio};

const PROFILE: &str = "perforch.callgrind";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 || args[3] != "coverage" {
        eprintln!("perforch: usage: perforch_coverage VALGRIND SOURCE coverage");
        std::process::exit(2);
    }
    let status = Command::new(&args[1])
        .args([
            "-q",
            "--tool=callgrind",
            &format!("--callgrind-out-file={}", PROFILE),
            "--dump-line=yes",
            "--compress-strings=no",
            "--compress-pos=no",
            "--collect-atstart=no",
            // The closures `drive` calls once per case (legacy and v0 demangled names alike).
            "--toggle-collect=*__perforch_run::{*",
            "./perforch_driver",
            "outputs",
        ])
        .stdout(Stdio::null())
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!("the driver under callgrind failed: {}", status)),
        Err(error) => fail(&format!("cannot run {}: {}", args[1], error)),
    }
    let profile = match std::fs::read_to_string(PROFILE) {
        Ok(text) => text,
        Err(error) => fail(&format!("cannot read callgrind's profile: {}", error)),
    };
    let lines: Vec<String> = lines_run(&profile, &args[2])
        .iter()
        .map(u64::to_string)
        .collect();
    println!("{{\"lines\": [{}]}}", lines.join(", "));
}

fn fail(message: &str) -> ! {
    eprintln!("perforch: {}", message);
    std::process::exit(4)
}

// Callgrind's format with uncompressed names and positions: `fl=`/`fi=`/`fe=` name the file
// the following cost lines ("LINE COST") are in (`fn=` goes back to the function's `fl=`);
// `c...=` lines describe a call's callee, and the cost line after `calls=` is the call site.
fn lines_run(profile: &str, source: &str) -> BTreeSet<u64> {
    let mut ran = BTreeSet::new();
    let (mut function_file, mut file) = (String::new(), String::new());
    for line in profile.lines() {
        if let Some(name) = line.strip_prefix("fl=") {
            function_file = name.to_string();
            file = function_file.clone();
        } else if let Some(name) = line
            .strip_prefix("fi=")
            .or_else(|| line.strip_prefix("fe="))
        {
            file = name.to_string();
        } else if line.starts_with("fn=") {
            file = function_file.clone();
        } else if line.starts_with(|c: char| c.is_ascii_digit()) {
            let in_source = file == source || file.ends_with(&format!("/{}", source));
            let mut fields = line.split_whitespace();
            let number = fields
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
            let cost = fields
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
            if in_source && number > 0 && cost > 0 {
                ran.insert(number);
            }
        }
    }
    ran
}
