// Runs a package's own benchmark script as a child process and returns the JSON report it writes to its
// results file. The package's committed results file is put back afterwards: this suite reads the
// numbers and keeps them in its own results, it does not rewrite other packages' files.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runToEnd } from './processes.mjs';

/** Runs `node <script>` with `env` in the script's package and returns the parsed `resultsFile`. */
export async function runPackageBench(script, resultsFile, env = {}) {
  const before = existsSync(resultsFile) ? readFileSync(resultsFile) : undefined;
  try {
    const output = await runToEnd(process.execPath, [script], { env, cwd: dirname(dirname(script)) });
    return { report: JSON.parse(readFileSync(resultsFile, 'utf8')), stdout: output.stdout };
  } finally {
    if (before === undefined) rmSync(resultsFile, { force: true });
    else writeFileSync(resultsFile, before);
  }
}
