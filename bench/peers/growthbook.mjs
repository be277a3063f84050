// Peer benchmark: the fixed assignment workload from bench/workload.py, run
// through the GrowthBook JavaScript SDK (@growthbook/growthbook, local
// evaluation), so sluice's evaluation rate can be compared with it.
//
//     python3 bench/workload.py OUT_DIR
//     node bench/peers/growthbook.mjs OUT_DIR [--seconds S] [--api client|instance|shared]
//
// Reads OUT_DIR/growthbook-features.json and OUT_DIR/units.jsonl. Everything
// is loaded into memory first (untimed, with each unit's attributes object
// built up front). Then, on one thread, each unit in turn gets the value of
// every feature in the payload (all 70), as a service asking "what does this
// unit get for everything" would. The loop stops after S seconds (default
// 10) or one pass over all units, whichever comes first. One evaluation is
// one feature evaluated for one unit. It prints one JSON line to stdout:
//
//     {"sdk":"growthbook-js","version":"x.y.z","units":U,"evaluations":E,
//      "seconds":T,"units_per_second":...,"evaluations_per_second":...}
//
// Diagnostics (configuration, a sanity check of the assignments) go to stderr.
// Before timing, the first 1000 units are evaluated and checked: the payload
// must have loaded (not every value the default), every flag must be on for a
// plausible share of units, and experiments in the same namespace must be
// mutually exclusive. This pass also warms up the JIT. After timing, and
// before the result line is printed, those 1000 units' values must match a
// fresh GrowthBook instance per unit.
//
// Which API is timed (--api; default "client"). The SDK offers three ways to
// evaluate features for many users synchronously with a local payload:
//
//   client    One GrowthBookClient (the SDK's multi-user "singleton" mode)
//             loaded once with initSync; each call passes the unit's user
//             context: gb.evalFeature(key, { attributes }).
//   instance  A new GrowthBook per unit ("instance per request"): constructed
//             with the unit's attributes, initSync with the payload, 70
//             evalFeature calls, destroy().
//   shared    One GrowthBook whose attributes are replaced per unit with
//             setAttributes(). (Not a documented server pattern; its
//             per-instance dedupe set of viewed experiments also grows with
//             every unit, so memory rises over a long run.)
//
// Measured with SDK 1.8.0 on node 20 (this workload, NODE_ENV=production,
// five 3 s runs of each, median in evaluations per process-CPU second
// because the machine was shared): client ~350k, instance ~335k, shared
// ~320k. We time "client". It was the fastest in every comparison, though by
// only 5-15%, and it is the mode the README recommends for servers as "more
// efficient". It also keeps no per-user state. A GrowthBook instance records
// each feature's last value as a JSON string (to dedupe feature-usage
// callbacks) and each experiment exposure, even when no callback is set, and
// "instance" also pays for construction per unit. The other two can still
// be timed with --api for comparison.
//
// Configuration: no apiHost/clientKey and initSync without streaming or
// polling, so nothing touches the network. No trackingCallback,
// onFeatureUsage or eventLogger. debug off and enableDevMode off, so no dev
// logs are kept. NODE_ENV defaults to "production", as on a production
// server. The SDK checks it at most steps of an evaluation and skips building
// debug-log arguments in production. Pass NODE_ENV=development explicitly to
// time the other mode.
//
// Known cost, kept because it is what node users get: the package's node
// entry points (dist/esm, dist/cjs) read process.env.NODE_ENV 1-3 times per
// evaluation, and each read is a ~150 ns call into node whatever the value.
// The package's browser bundle (dist/bundles/esm.min.js) has those checks
// compiled out and ran this loop ~1.4x faster. It is not in the package's
// exports map, so a node program cannot import it by package name, and it is
// not used here.

import { createReadStream, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

import { GrowthBook, GrowthBookClient } from "@growthbook/growthbook";

// The SDK reads NODE_ENV at evaluation time, not at import, so setting the
// default here covers every evaluation.
process.env.NODE_ENV ??= "production";

const SDK_VERSION = createRequire(import.meta.url)("@growthbook/growthbook/package.json").version;

const SANITY_UNITS = 1000;

// Each API factory takes the payload and the feature keys and returns
// evaluateUnit(attributes, values): it writes the value of feature keys[k]
// for the unit into values[k].
const APIS = {
  client(payload, keys) {
    const gb = new GrowthBookClient({ debug: false }).initSync({ payload });
    return (attributes, values) => {
      const user = { attributes };
      for (let k = 0; k < keys.length; k++) values[k] = gb.evalFeature(keys[k], user).value;
    };
  },
  instance(payload, keys) {
    return (attributes, values) => {
      const gb = new GrowthBook({ attributes, debug: false, enableDevMode: false }).initSync({ payload });
      for (let k = 0; k < keys.length; k++) values[k] = gb.evalFeature(keys[k]).value;
      gb.destroy();
    };
  },
  shared(payload, keys) {
    const gb = new GrowthBook({ debug: false, enableDevMode: false }).initSync({ payload });
    return (attributes, values) => {
      // setAttributes is async only for sticky bucketing or remote evaluation,
      // neither of which is used here. Without them the attributes are set
      // before it returns.
      gb.setAttributes(attributes);
      for (let k = 0; k < keys.length; k++) values[k] = gb.evalFeature(keys[k]).value;
    };
  },
};

function die(message) {
  console.error(`growthbook.mjs: ${message}`);
  process.exit(1);
}

function parseCommandLine() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        seconds: { type: "string", default: "10" },
        api: { type: "string", default: "client" },
      },
    });
  } catch (e) {
    die(`${e.message}\nusage: node bench/peers/growthbook.mjs OUT_DIR [--seconds S] [--api client|instance|shared]`);
  }
  const { positionals, values } = parsed;
  if (positionals.length !== 1) die("usage: node bench/peers/growthbook.mjs OUT_DIR [--seconds S] [--api client|instance|shared]");
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) die(`--seconds must be a positive number, got ${values.seconds}`);
  if (!Object.hasOwn(APIS, values.api)) die(`--api must be one of ${Object.keys(APIS).join(", ")}`);
  return { outDir: positionals[0], seconds, api: values.api };
}

// One attributes object per unit. Built here so that parsing and object
// construction stay out of the timed loop. All objects have the same shape.
async function loadUnits(path) {
  const units = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === "") continue;
    const u = JSON.parse(line);
    units.push({
      id: u.id,
      country: u.country,
      platform: u.platform,
      app_version: u.app_version,
      age: u.age,
      is_new_user: u.is_new_user,
      tier: u.tier,
    });
  }
  return units;
}

// Evaluates the first SANITY_UNITS units with the timed API, prints the share
// of units given each kind of feature to stderr, and fails loudly if the
// result looks wrong. Returns the values, one array per unit, for
// crossCheck().
function sanityCheck(payload, keys, defaults, units, evaluateUnit) {
  const n = Math.min(SANITY_UNITS, units.length);
  const nonDefault = new Array(keys.length).fill(0);
  const sample = [];
  let exclusionViolations = 0;

  // Experiment features grouped by namespace: a unit may be in at most one
  // experiment of each namespace.
  const namespaceOf = keys.map((key) => {
    const rule = (payload.features[key].rules || []).find((r) => r.namespace);
    return rule ? rule.namespace[0] : null;
  });

  for (let i = 0; i < n; i++) {
    const values = new Array(keys.length);
    evaluateUnit(units[i], values);
    sample.push(values);
    const namespacesEntered = new Set();
    for (let k = 0; k < keys.length; k++) {
      if (values[k] === defaults[k]) continue;
      nonDefault[k]++;
      const ns = namespaceOf[k];
      if (ns !== null) {
        if (namespacesEntered.has(ns)) exclusionViolations++;
        namespacesEntered.add(ns);
      }
    }
  }

  const share = (k) => nonDefault[k] / n;
  const summarize = (ks) => {
    if (ks.length === 0) return "none";
    const s = ks.map(share);
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    return `${ks.length} features, share min ${Math.min(...s).toFixed(3)} mean ${mean.toFixed(3)} max ${Math.max(...s).toFixed(3)}`;
  };
  const flagKs = keys.map((_, k) => k).filter((k) => typeof defaults[k] === "boolean");
  const expKs = keys.map((_, k) => k).filter((k) => namespaceOf[k] !== null);
  const flag0 = keys.indexOf("flag-0");
  console.error(`sanity (first ${n} units, share with a non-default value):`);
  if (flag0 >= 0) console.error(`  flag-0: ${share(flag0).toFixed(3)} (condition rule, then 20% rollout)`);
  console.error(`  flags: ${summarize(flagKs)}`);
  console.error(`  experiments (in experiment): ${summarize(expKs)}`);

  const total = nonDefault.reduce((a, b) => a + b, 0);
  if (total === 0) die("SANITY FAILURE: every value is the default; did the features payload load?");
  if (exclusionViolations > 0) die(`SANITY FAILURE: ${exclusionViolations} units in two experiments of one namespace`);
  // Every flag ends with a 20% rollout, so its on share is at least ~0.2.
  const lowFlags = flagKs.filter((k) => share(k) < 0.1).map((k) => keys[k]);
  if (lowFlags.length > 0) die(`SANITY FAILURE: implausibly few units have these flags on: ${lowFlags.join(", ")}`);
  const silentExps = expKs.filter((k) => nonDefault[k] === 0).map((k) => keys[k]);
  if (silentExps.length > 0) die(`SANITY FAILURE: no unit entered these experiments: ${silentExps.join(", ")}`);
  return sample;
}

// Checks the values sanityCheck() got from the timed API against a fresh
// GrowthBook instance per unit, the SDK's most direct evaluation path. This
// runs after the timed loop: if the other API ran first, V8 would see two
// shapes of evaluation context in the shared evaluation code and could slow
// the timed path.
function crossCheck(payload, keys, units, sample) {
  const reference = APIS.instance(payload, keys);
  const expected = new Array(keys.length);
  let mismatches = 0;
  for (let i = 0; i < sample.length; i++) {
    reference(units[i], expected);
    for (let k = 0; k < keys.length; k++) {
      if (JSON.stringify(sample[i][k]) !== JSON.stringify(expected[k])) mismatches++;
    }
  }
  if (mismatches > 0) die(`SANITY FAILURE: ${mismatches} values differ from a per-unit GrowthBook instance`);
  console.error(`cross-check: first ${sample.length} units agree with a per-unit GrowthBook instance`);
}

async function main() {
  const { outDir, seconds, api } = parseCommandLine();

  // --- Untimed setup ---------------------------------------------------------
  const payload = JSON.parse(readFileSync(join(outDir, "growthbook-features.json"), "utf8"));
  if (!payload.features || Object.keys(payload.features).length === 0) die("no features in growthbook-features.json");
  const keys = Object.keys(payload.features);
  const defaults = keys.map((key) => payload.features[key].defaultValue);
  const units = await loadUnits(join(outDir, "units.jsonl"));
  if (units.length === 0) die("units.jsonl holds no units");

  const evaluateUnit = APIS[api](payload, keys);
  console.error(
    `growthbook-js ${SDK_VERSION}, node ${process.versions.node}, NODE_ENV=${process.env.NODE_ENV}, ` +
      `api=${api}, ${keys.length} features, ${units.length} units, at most ${seconds} s`,
  );
  const sample = sanityCheck(payload, keys, defaults, units, evaluateUnit);

  // --- Timed loop ------------------------------------------------------------
  // The clock is read once per unit (70 evaluations), so the loop overshoots
  // the limit by at most one unit's work.
  const values = new Array(keys.length);
  let nonDefault = 0; // consumes every value; reported to stderr
  let done = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let now = start;
  while (done < units.length) {
    evaluateUnit(units[done], values);
    for (let k = 0; k < values.length; k++) if (values[k] !== defaults[k]) nonDefault++;
    done++;
    now = performance.now();
    if (now >= deadline) break;
  }
  const elapsed = (now - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);

  const evaluations = done * keys.length;
  // If the process CPU time is well below the wall time, the run shared its
  // core with other work and the rate in the result line is understated.
  // Evaluations per process-CPU second is then a better estimate of the
  // uncontended rate. It is a slight underestimate, because process CPU also
  // counts V8's background GC and compiler threads.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.error(
    `timed: ${done} units, ${nonDefault} of ${evaluations} values non-default; ` +
      `${elapsed.toFixed(3)} s wall, ${cpuSeconds.toFixed(3)} s process CPU ` +
      `(${Math.round(evaluations / cpuSeconds)} evaluations per CPU second)`,
  );
  crossCheck(payload, keys, units, sample);
  console.log(
    JSON.stringify({
      sdk: "growthbook-js",
      version: SDK_VERSION,
      units: done,
      evaluations,
      seconds: Number(elapsed.toFixed(3)),
      units_per_second: Math.round(done / elapsed),
      evaluations_per_second: Math.round(evaluations / elapsed),
    }),
  );
}

await main();
