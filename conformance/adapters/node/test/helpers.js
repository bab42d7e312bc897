'use strict';
// Drives an adapter as the suite does: a child process, one JSON line in, one JSON line out.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const T0 = 1700000000000;

class AdapterProcess {
  constructor(script, { env = {} } = {}) {
    this.child = spawn(process.execPath, [path.resolve(__dirname, script)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.stderr = '';
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.lines = [];
    this.waiters = [];
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  nextLine(timeoutMs = 15000) {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms; stderr:\n${this.stderr}`)), timeoutMs);
      this.waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  /** Sends a raw line, returns the parsed reply. */
  async sendRaw(text) {
    this.child.stdin.write(`${text}\n`);
    return JSON.parse(await this.nextLine());
  }

  send(message) {
    return this.sendRaw(JSON.stringify(message));
  }

  async hello(protocol = 2) {
    const message = protocol === 2
      ? { type: 'hello', protocol: 2, protocols: [1, 2], suite: 'jwt-lifecycle/test' }
      : { type: 'hello', protocol: 1, suite: 'jwt-lifecycle/test' };
    return this.send(message);
  }

  start(caseId = 'toy/case', clock = T0, profile = 'toy') {
    return this.send({ type: 'start', case: caseId, profile, clock });
  }

  call(call, fields = {}) {
    return this.send({ type: 'input', input: { input: 'app', call, ...fields } });
  }

  respond(request, reply, body) {
    const input = { input: 'respond', request, reply };
    if (body !== undefined) input.body = body;
    return this.send({ type: 'input', input });
  }

  restart() {
    return this.send({ type: 'input', input: { input: 'restart' } });
  }

  advance(ms) {
    return this.send({ type: 'advance', ms });
  }

  async bye() {
    this.child.stdin.write(`${JSON.stringify({ type: 'bye' })}\n`);
    return this.exited;
  }

  kill() {
    this.child.kill();
  }
}

/** An unsigned JWT-shaped token with `exp` seconds since the epoch. */
function token(name, expSeconds) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: name, exp: expSeconds })}.c2ln`;
}

module.exports = { AdapterProcess, T0, token };
