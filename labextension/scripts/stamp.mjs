// Records which sources the committed build was made from (labextension/build-hash.txt).
// tests/labextension/test_packaging.py recomputes the hash and fails when the sources changed
// without a rebuild. Hash: sha256 over "path\0content\0" of package.json, tsconfig.json,
// src/* and style/*, sorted by path.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const files = ['package.json', 'tsconfig.json'];
for (const dir of ['src', 'style']) {
  for (const name of readdirSync(dir)) {
    files.push(`${dir}/${name}`);
  }
}
files.sort();
const hash = createHash('sha256');
for (const file of files) {
  hash.update(file + '\0');
  hash.update(readFileSync(file));
  hash.update('\0');
}
writeFileSync('build-hash.txt', hash.digest('hex') + '\n');
