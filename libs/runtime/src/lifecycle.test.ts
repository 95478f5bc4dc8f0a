import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageVersion } from './lifecycle';

describe('packageVersion', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'package-version-'));
    mkdirSync(path.join(dir, 'dist'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the service's own package.json beside its build, whoever started the process", () => {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'svc', version: '2.7.1' }));
    expect(packageVersion(path.join(dir, 'dist'))).toBe('2.7.1');
  });

  it('names the file when it has no version', () => {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'svc' }));
    expect(() => packageVersion(path.join(dir, 'dist'))).toThrow(/package\.json has no version/);
  });
});
