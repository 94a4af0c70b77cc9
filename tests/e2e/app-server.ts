// A private prepoznaj-server on its own port (so its own origin and service worker) serving
// a copy of dist/ that a test may change, e.g. to publish a new version.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const SERVER_BIN = process.env.PREPOZNAJ_SERVER_BIN || 'target/debug/prepoznaj-server';

export interface AppServer {
  url: string;
  dist: string;
  /** The server's data directory (its SQLite database). */
  data: string;
  stop(): Promise<void>;
}

/** Copies dist/ to a temporary directory and serves it on a free port. */
export async function startServerWithDistCopy(): Promise<AppServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-e2e-server-'));
  const dist = path.join(root, 'dist');
  const data = path.join(root, 'data');
  fs.cpSync(process.env.PREPOZNAJ_DIST || 'dist', dist, { recursive: true });
  fs.mkdirSync(data);
  const child = spawn(SERVER_BIN, ['--port', '0', '--dist', dist, '--data-dir', data, '--log', 'warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await listeningUrl(child);
  return {
    url,
    dist,
    data,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the operator's `prepoznaj-server school create --name <name>` against `server`'s
 * database, as an operator would next to the running server; returns the printed set-up link.
 */
export function createSchool(server: AppServer, name: string): string {
  const stdout = execFileSync(SERVER_BIN, ['school', 'create', '--name', name, '--base-url', server.url], {
    env: { ...process.env, PREPOZNAJ_DATA_DIR: server.data },
    encoding: 'utf8',
  });
  const link = stdout.split('\n').find((line) => line.startsWith(`${server.url}/team/setup#`));
  if (!link) throw new Error(`no set-up link in the output of school create:\n${stdout}`);
  return link.trim();
}

/** Reads the "listening on http://…" line the server prints on stderr once it accepts connections. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const deadline = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`prepoznaj-server did not start within 15 s:\n${stderr}`));
    }, 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The line arrives in several writes: parse it only once it is complete.
      const match = /listening on (http:\/\/[0-9.]+:[0-9]+)[^\n]*\n/.exec(stderr);
      if (match) {
        clearTimeout(deadline);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`prepoznaj-server exited with ${code}:\n${stderr}`));
    });
  });
}

/**
 * Publishes a new version in `dist`: rewrites the service worker's VERSION and removes its
 * pre-compressed siblings so that the server sends the changed file. Returns the new version.
 */
export function publishNewServiceWorkerVersion(dist: string): { oldVersion: string; newVersion: string } {
  const file = path.join(dist, 'sw.js');
  const source = fs.readFileSync(file, 'utf8');
  const pattern = /const VERSION = '([^']+)';/;
  const match = pattern.exec(source);
  if (!match) throw new Error(`no "const VERSION = '…'" in ${file}`);
  const newVersion = `e2e${Date.now().toString(36)}`;
  fs.writeFileSync(file, source.replace(pattern, `const VERSION = '${newVersion}';`));
  for (const sibling of ['sw.js.br', 'sw.js.gz']) fs.rmSync(path.join(dist, sibling), { force: true });
  return { oldVersion: match[1], newVersion };
}
