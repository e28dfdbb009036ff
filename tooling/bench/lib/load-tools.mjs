// wrk and etcd-server come from Debian. When one is missing and this process runs as root on a system
// with apt-get, it is installed; otherwise the benchmark says how to install it and skips what needs it.
import { spawnSync } from 'node:child_process';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const PACKAGES = { wrk: 'wrk', etcd: 'etcd-server' };

/** Returns which of wrk and etcd are available, installing missing ones when it can. */
export function ensureLoadTools(log) {
  const missing = Object.keys(PACKAGES).filter((command) => !has(command));
  if (missing.length > 0) {
    const names = missing.map((command) => PACKAGES[command]).join(' ');
    if (process.getuid?.() === 0 && has('apt-get')) {
      log(`installing ${names} with apt-get`);
      const install = () => spawnSync('apt-get', ['install', '-y', ...names.split(' ')], { stdio: 'ignore' });
      if (install().status !== 0) {
        spawnSync('apt-get', ['update'], { stdio: 'ignore' });
        install();
      }
    } else {
      log(
        `missing ${names}: install with \`sudo apt-get install -y ${names}\` (Debian/Ubuntu) and run again`,
      );
    }
  }
  return { wrk: has('wrk'), etcd: has('etcd') };
}
