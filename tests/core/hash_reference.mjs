// Independent JavaScript implementation of docs/hashing.md, checked against
// the golden vectors: node hash_reference.mjs testdata/hash/vectors.json
import { readFileSync } from "node:fs";

const P1 = 0x9e3779b1, P2 = 0x85ebca77, P3 = 0xc2b2ae3d, P4 = 0x27d4eb2f, P5 = 0x165667b1;

const mul = (a, b) => Math.imul(a, b) >>> 0;
const add = (a, b) => (a + b) >>> 0;
const rotl = (x, r) => ((x << r) | (x >>> (32 - r))) >>> 0;
const read32 = (b, p) => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
const round = (acc, lane) => mul(rotl(add(acc, mul(lane, P2)), 13), P1);

function xxh32(bytes, seed) {
  const len = bytes.length;
  let p = 0;
  let acc;
  if (len >= 16) {
    let v1 = add(add(seed, P1), P2), v2 = add(seed, P2), v3 = seed >>> 0, v4 = (seed - P1) >>> 0;
    while (p + 16 <= len) {
      v1 = round(v1, read32(bytes, p));
      v2 = round(v2, read32(bytes, p + 4));
      v3 = round(v3, read32(bytes, p + 8));
      v4 = round(v4, read32(bytes, p + 12));
      p += 16;
    }
    acc = add(add(rotl(v1, 1), rotl(v2, 7)), add(rotl(v3, 12), rotl(v4, 18)));
  } else {
    acc = add(seed, P5);
  }
  acc = add(acc, len);
  while (p + 4 <= len) {
    acc = mul(rotl(add(acc, mul(read32(bytes, p), P3)), 17), P4);
    p += 4;
  }
  while (p < len) {
    acc = mul(rotl(add(acc, mul(bytes[p], P5)), 11), P1);
    p += 1;
  }
  acc = mul((acc ^ (acc >>> 15)) >>> 0, P2);
  acc = mul((acc ^ (acc >>> 13)) >>> 0, P3);
  return (acc ^ (acc >>> 16)) >>> 0;
}

const utf8 = (s) => new TextEncoder().encode(s);

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
let passed = 0, failed = 0;
for (const v of doc.vectors) {
  const seed = xxh32(utf8(v.salt), 0);
  const hash = xxh32(utf8(v.unit_id), seed);
  const bucket = hash % 10000;
  if (seed === v.seed && hash === v.hash && bucket === v.bucket) {
    passed++;
  } else {
    failed++;
    console.log(`MISMATCH salt=${JSON.stringify(v.salt)} unit=${JSON.stringify(v.unit_id)}: ` +
                `got seed ${seed} hash ${hash} bucket ${bucket}, want ${v.seed} ${v.hash} ${v.bucket}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed >= 50 ? 0 : 1);
