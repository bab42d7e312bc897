'use strict';
/**
 * The wire protocol loop: one JSON object per line on stdin, exactly one reply line per message
 * on stdout (flushed), logs only on stderr. Versions 1 and 2 (the handshake of DESIGN §2.3:
 * the highest version both sides speak).
 */

const readline = require('node:readline');
const { Session, Unimplemented } = require('./session');
const { downgradeToV1 } = require('./observations');

const SUPPORTED = [1, 2];

/** Picks the protocol version for a suite's hello, or null when there is none in common. */
function negotiate(hello, highest = 2) {
  const offered = Array.isArray(hello.protocols) ? hello.protocols : [hello.protocol];
  const common = offered.filter((v) => Number.isInteger(v) && SUPPORTED.includes(v) && v <= highest);
  return common.length > 0 ? Math.max(...common) : null;
}

function errorMessage(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (error && typeof error === 'object') {
    try {
      return JSON.stringify(error);
    } catch {
      return String(error);
    }
  }
  return String(error);
}

/**
 * The adapter side of the conversation, independent of stdio (the tests drive it directly).
 * `handle(line)` returns the reply object, or null for `bye` (and sets `finished`).
 */
class Conversation {
  constructor(spec) {
    this.spec = spec;
    this.session = new Session(spec);
    this.protocol = null;
    this.finished = false;
  }

  async handle(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch (error) {
      return { type: 'error', message: `not a JSON line: ${error.message}` };
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) {
      return { type: 'error', message: 'a message must be a JSON object' };
    }
    try {
      return await this.dispatch(message);
    } catch (error) {
      if (error instanceof Unimplemented) return { type: 'unimplemented', reason: error.message };
      process.stderr.write(`adapter: ${message.type} failed: ${error && error.stack ? error.stack : errorMessage(error)}\n`);
      return { type: 'error', message: errorMessage(error) };
    }
  }

  async dispatch(message) {
    switch (message.type) {
      case 'hello':
        return this.hello(message);
      case 'start':
        return this.start(message);
      case 'input':
        this.requireHello();
        return this.done(await this.session.input(message.input));
      case 'advance':
        this.requireHello();
        return this.done(await this.session.advance(Number(message.ms)));
      case 'bye':
        this.session.teardown();
        this.finished = true;
        return null;
      default:
        return { type: 'error', message: `unknown message type ${JSON.stringify(message.type)}` };
    }
  }

  hello(message) {
    const version = negotiate(message, this.spec.protocol || 2);
    if (version === null) {
      const offered = JSON.stringify(message.protocols || message.protocol);
      return { type: 'error', message: `this adapter speaks protocol ${SUPPORTED.join(' or ')}, the suite offered ${offered}` };
    }
    this.protocol = version;
    this.session.protocol = version;
    return {
      type: 'hello',
      protocol: version,
      adapter: this.spec.name,
      version: this.spec.version,
      profiles: this.spec.profiles,
    };
  }

  async start(message) {
    this.requireHello();
    if (!this.spec.profiles.includes(message.profile)) {
      return { type: 'unsupported', reason: `${this.spec.name} follows ${this.spec.profiles.join(', ')}, not ${message.profile}` };
    }
    const declined = this.spec.supports ? this.spec.supports(message.profile, message.case) : null;
    if (declined) return { type: 'unsupported', reason: declined };
    if (!Number.isFinite(message.clock)) throw new Error(`start needs a numeric clock, got ${JSON.stringify(message.clock)}`);
    await this.session.start(message.case, message.profile, message.clock);
    return { type: 'ready' };
  }

  requireHello() {
    if (this.protocol === null) throw new Error('no hello yet (the suite speaks first with hello)');
  }

  done(observations) {
    if (this.protocol >= 2) return { type: 'done', observations };
    const kept = [];
    for (const observation of observations) {
      const v1 = downgradeToV1(observation);
      if (v1) kept.push(v1);
      else process.stderr.write(`adapter: protocol 1 cannot express ${JSON.stringify(observation)}; left out\n`);
    }
    return { type: 'done', observations: kept };
  }
}

/** Runs `spec` on this process's stdin/stdout until `bye` or end of input. */
async function serve(spec, { input = process.stdin, output = process.stdout } = {}) {
  const write = output.write.bind(output);
  // Nothing but replies may reach stdout: an SDK's console.log or a stray write goes to stderr.
  if (output === process.stdout) redirectStdoutToStderr();
  const conversation = new Conversation(spec);
  process.on('unhandledRejection', (reason) => conversation.session.uncaught(reason));
  process.on('uncaughtException', (error) => conversation.session.uncaught(error));
  const lines = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const reply = await conversation.handle(line);
    if (conversation.finished) break;
    write(`${JSON.stringify(reply)}\n`);
  }
  conversation.session.teardown();
  lines.close();
  process.exit(0);
}

function redirectStdoutToStderr() {
  const toStderr = (...args) => process.stderr.write(...args);
  process.stdout.write = toStderr;
  for (const method of ['log', 'info', 'debug', 'trace', 'dir', 'table']) {
    // eslint-disable-next-line no-console
    console[method] = (...args) => console.error(...args);
  }
}

module.exports = { Conversation, serve, negotiate, SUPPORTED };
