#!/usr/bin/env python3
"""Writes the fixed side-by-side assignment workload, in sluice's and in
GrowthBook's configuration formats, plus the units to evaluate.

    python3 bench/workload.py OUT_DIR [--units N]

Workload (the same for every SDK measured):
  - 20 experiments in 5 layers: each layer holds 4 mutually exclusive
    experiments of 20% traffic; 2 or 3 variants; every other one has a
    one-condition audience;
  - 50 flags, each with a targeting rule of 2-3 conditions serving a fixed
    value, then a 20% percentage rollout, then the default;
  - N distinct units (default 1,000,000) with 6 attributes each.
Deterministic: no randomness, so every run measures the same work.
"""
import argparse
import json
import os

COUNTRIES = ["CN", "US", "JP", "DE", "BR", "IN", "FR"]
PLATFORMS = ["ios", "android", "web"]


def unit(i):
    return {
        "id": f"u-{i}",
        "country": COUNTRIES[i % 7],
        "platform": PLATFORMS[(i // 7) % 3],
        "app_version": f"8.{i % 12}.{i % 5}",
        "age": 18 + (i * 7919) % 50,
        "is_new_user": i % 5 == 0,
        "tier": 1 + (i // 3) % 4,
    }


# Conditions as (attribute, operator, value); rendered per format below.
def flag_conditions(f):
    conds = [("country", "in", COUNTRIES[f % 7: f % 7 + 2]),
             ("app_version", "gte", f"8.{f % 12}.0")]
    if f % 2 == 0:
        conds.append(("age", "lt", 20 + f % 30))
    return conds


def experiment_audience(e):
    return ("platform", "eq", PLATFORMS[e % 3]) if e % 2 == 1 else None


def sluice_condition(c):
    attr, op, value = c
    return {"attr": attr, "op": op, "value": value}


GB_OPS = {"in": "$in", "eq": "$eq", "lt": "$lt", "gte": "$gte"}


def growthbook_condition(conds):
    out = {}
    for attr, op, value in conds:
        if attr == "app_version":
            out[attr] = {"$vgte": value}
        else:
            out[attr] = {GB_OPS[op]: value}
    return out


def build(n_units):
    attributes = [{"name": "country", "type": "string"}, {"name": "platform", "type": "string"},
                  {"name": "app_version", "type": "semver"}, {"name": "age", "type": "number"},
                  {"name": "is_new_user", "type": "bool"}, {"name": "tier", "type": "number"}]
    layers, experiments, flags, gb_features = [], [], [], {}
    for l in range(5):
        layers.append({"key": f"layer-{l}", "salt": f"layer-{l}"})
        for k in range(4):
            e = l * 4 + k
            n_var = 2 + e % 2
            weights = [50, 50] if n_var == 2 else [34, 33, 33]
            variants = [{"key": f"v{j}", "weight": weights[j], "params": {"value": j}} for j in range(n_var)]
            x = {"key": f"exp-{e}", "layer": f"layer-{l}", "status": "running", "traffic_share": 20,
                 "bucket_start": k * 2000, "variants": variants}
            aud = experiment_audience(e)
            if aud:
                x["audience"] = sluice_condition(aud)
            experiments.append(x)
            rule = {"key": f"exp-{e}", "hashAttribute": "id", "seed": f"exp-{e}",
                    "variations": list(range(n_var)), "weights": [w / 100 for w in weights], "coverage": 1,
                    "namespace": [f"layer-{l}", k * 0.2, (k + 1) * 0.2], "hashVersion": 2}
            if aud:
                rule["condition"] = growthbook_condition([aud])
            gb_features[f"exp-{e}"] = {"defaultValue": -1, "rules": [rule]}
    for f in range(50):
        conds = flag_conditions(f)
        flags.append({"key": f"flag-{f}", "type": "bool", "default": False, "rules": [
            {"audience": {"and": [sluice_condition(c) for c in conds]}, "value": True},
            {"rollout": [{"value": True, "weight": 20}, {"value": False, "weight": 80}]}]})
        gb_features[f"flag-{f}"] = {"defaultValue": False, "rules": [
            {"condition": growthbook_condition(conds), "force": True},
            {"force": True, "coverage": 0.2, "hashAttribute": "id", "seed": f"flag-{f}", "hashVersion": 2}]}
    sluice = {"attributes": attributes, "layers": layers, "experiments": experiments, "flags": flags}
    return sluice, {"features": gb_features}, (unit(i) for i in range(n_units))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--units", type=int, default=1_000_000)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    sluice, growthbook, units = build(args.units)
    with open(os.path.join(args.out_dir, "sluice-config.json"), "w") as f:
        json.dump(sluice, f)
    with open(os.path.join(args.out_dir, "growthbook-features.json"), "w") as f:
        json.dump(growthbook, f)
    with open(os.path.join(args.out_dir, "units.jsonl"), "w") as f:
        for u in units:
            f.write(json.dumps(u, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
