/**
 * nginx as a baseline: one worker, no access log, sendfile and an open-file
 * cache, serving `root` on the port the bench picks. Each bench adds only the
 * directives its row is about (types, gzip).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTools, type ServerSpec } from "./bench.ts";

/** What one nginx row serves and how. */
export interface NginxRow {
  /** The row's name in the tables. */
  name: string;
  /** The folder it serves. */
  root: string;
  /** Where its config, pid and logs go. */
  dir: string;
  /** A path that answers once it is up. */
  readyPath: string;
  /** Extra `http { }` directives, one a line. */
  directives: string[];
}

/** A ServerSpec starting nginx through a tiny shell wrapper: `$PORT` is only known at start. */
export function nginxServer(row: NginxRow): ServerSpec {
  ensureTools("nginx");
  const { dir, root } = row;
  mkdirSync(dir, { recursive: true });
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `${kind}_temp_path ${dir};`).join(
    " ",
  );
  writeFileSync(
    join(dir, "run.sh"),
    `#!/bin/sh
cat > ${dir}/nginx.conf <<CONF
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  open_file_cache max=1000 inactive=20s;
${row.directives.map((line) => `  ${line}\n`).join("")}  ${temp}
  server { listen 127.0.0.1:$PORT; root ${root}; }
}
CONF
exec /usr/sbin/nginx -p ${dir} -c ${dir}/nginx.conf
`,
    { mode: 0o755 },
  );
  return { name: row.name, command: ["sh", join(dir, "run.sh")], readyPath: row.readyPath };
}
