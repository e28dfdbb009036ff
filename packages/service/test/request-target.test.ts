import { describe, expect, it } from 'vitest';
import { plainPathname } from '../src/request-target.js';

const BASE = 'http://localhost';

describe('plainPathname', () => {
  it('gives exactly the pathname URL gives, whenever it gives one', () => {
    const targets = [
      '/',
      '/kv/key',
      '/kv/a.b/c',
      '/kv/a%20b',
      '/kv/%E2%82%AC',
      "/kv/-_~!$&'()*+,;=:@",
      '/kv//double',
      '/cluster/',
      '/kv/..',
      '/kv/./x',
      '/kv/%2e%2E/x',
      '/kv/.%2e',
      '/kv/x?consistency=stale',
      '/kv/x#frag',
      '/kv/a b',
      '/kv/a\\b',
      '/kv/"q"',
      '/kv/<x>',
      '/kv/{x}',
      '/kv/`x`',
      '/kv/é',
      '//host/kv/x',
      'http://other/kv/x',
      '*',
      '',
    ];
    let plain = 0;
    for (const target of targets) {
      const fast = plainPathname(target);
      if (fast === undefined) continue;
      plain++;
      expect(fast, target).toBe(new URL(target, BASE).pathname);
    }
    // The plain ones above are taken on the fast path; the point of the function.
    expect(plain).toBe(8);
  });

  it('leaves to full parsing every target whose path URL would rewrite', () => {
    for (const target of [
      '/kv/..',
      '/kv/./x',
      '/kv/%2e%2E/x',
      '/kv/x?q=1',
      '/kv/a b',
      '/kv/é',
      '//h/x',
      'x',
    ]) {
      expect(plainPathname(target), target).toBeUndefined();
    }
  });

  it('agrees with URL on random targets drawn from path characters and dots', () => {
    const alphabet = ['/', '.', '%', '2', 'e', 'E', 'a', '-', '~', '?', '#', ' ', '\\', 'é', '@'];
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 5000; i++) {
      let target = '/';
      const length = next() % 12;
      for (let j = 0; j < length; j++) target += alphabet[next() % alphabet.length];
      const fast = plainPathname(target);
      if (fast !== undefined) expect(fast, target).toBe(new URL(target, BASE).pathname);
    }
  });
});
