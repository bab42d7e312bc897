'use strict';
/**
 * The captured transport: a global `XMLHttpRequest` and `fetch` that never touch the network.
 *
 * Each request the SDK sends is numbered (1, 2, 3... per case, counting across a `restart`),
 * reported through `onSent`, and parked until the suite answers it with `respond` (a status
 * with an optional JSON body, or a network error). Requests of an instance that ended at a
 * `restart` are abandoned: never answered, their late answers ignored.
 */

const STATUS_TEXT = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/** A request the SDK sent, as the adapter sees it. */
class CapturedRequest {
  constructor({ id, instance, method, url, headers, body, via, at }) {
    this.id = id;
    this.instance = instance;
    this.method = method;
    this.url = url;
    this.headers = headers; // lower-case name -> value
    this.body = body; // the body as text, or null
    this.via = via; // 'xhr' or 'fetch'
    this.at = at; // virtual instant it was sent
    this.state = 'parked'; // parked | answered | abandoned | aborted | timed_out
    this.reply = null;
    let json;
    try {
      json = body == null || body === '' ? undefined : JSON.parse(body);
    } catch {
      json = undefined;
    }
    this.json = json; // the body parsed as JSON, or undefined
  }

  /** A header's value (case-insensitive name), or null. */
  header(name) {
    const value = this.headers[String(name).toLowerCase()];
    return value === undefined ? null : value;
  }

  /** The URL's path (no origin, no query). */
  get path() {
    try {
      return new URL(this.url, 'http://relative.invalid').pathname;
    } catch {
      return this.url;
    }
  }
}

class Transport {
  /**
   * @param {object} hooks
   * @param {(request: CapturedRequest) => void} hooks.onSent called synchronously when the SDK sends
   * @param {() => number} hooks.now the virtual clock
   * @param {(message: string) => void} [hooks.log]
   */
  constructor({ onSent, now, log }) {
    this.onSent = onSent;
    this.now = now;
    this.log = log || ((message) => process.stderr.write(`${message}\n`));
    this.requests = new Map();
    this.parked = new Map(); // id -> { answer(status, bodyText, headers), fail(), abandon() }
    this.nextId = 1;
    this.instance = 0;
  }

  /** A brand-new case: numbering starts again at 1; everything before is forgotten. */
  resetCase() {
    this.abandonAll('a new case started');
    this.requests.clear();
    this.nextId = 1;
    this.instance = 1;
  }

  /** The SDK instance ended (restart): its requests in flight are abandoned. */
  newInstance() {
    this.abandonAll('the app restarted');
    this.instance += 1;
  }

  abandonAll(why) {
    for (const [id, handle] of this.parked) {
      const request = this.requests.get(id);
      if (request) request.state = 'abandoned';
      handle.abandon();
      this.log(`kit: request ${id} abandoned (${why})`);
    }
    this.parked.clear();
  }

  /** Every request of this case, in the order sent. */
  list() {
    return [...this.requests.values()];
  }

  get(id) {
    return this.requests.get(id) || null;
  }

  /** Requests still waiting for an answer. */
  inFlight() {
    return this.list().filter((request) => request.state === 'parked');
  }

  register(fields, handle) {
    const request = new CapturedRequest({ ...fields, id: this.nextId, instance: this.instance, at: this.now() });
    this.nextId += 1;
    this.requests.set(request.id, request);
    this.parked.set(request.id, handle);
    this.onSent(request);
    return request;
  }

  settleLocally(request, state) {
    if (request.state !== 'parked') return;
    request.state = state;
    this.parked.delete(request.id);
  }

  /**
   * Answers request `id`: `reply` is `{status}` or the string `"network_error"`; `body` is any
   * JSON value (sent as `application/json`) or undefined for no body.
   */
  respond(id, reply, body, extraHeaders = {}) {
    const request = this.requests.get(id);
    if (!request) throw new Error(`respond: no request ${id} was sent in this case (sent so far: ${this.nextId - 1})`);
    // A request has one answer. A second one (a case whose request numbering no longer
    // matches what the SDK sent, e.g. one the suite already answered as housekeeping) reaches
    // nothing, like an answer to an abandoned request: the SDK sees no change, and the case is
    // judged on what the SDK did.
    if (request.state !== 'parked') {
      this.log(`kit: the answer to request ${id} is ignored: the request was ${request.state}`);
      return request;
    }
    const handle = this.parked.get(id);
    request.state = 'answered';
    request.reply = { reply, body };
    this.parked.delete(id);
    if (reply === 'network_error') {
      handle.fail();
    } else {
      const status = Number(reply && reply.status);
      if (!Number.isInteger(status) || status < 100 || status > 599) {
        throw new Error(`respond: a reply needs an HTTP status 100..599, got ${JSON.stringify(reply)}`);
      }
      const headers = { ...extraHeaders };
      let text = '';
      if (body !== undefined && !NULL_BODY_STATUS.has(status)) {
        text = JSON.stringify(body);
        headers['content-type'] = 'application/json';
      }
      handle.answer(status, text, headers);
    }
    return request;
  }

  /** Puts the capturing `XMLHttpRequest` and `fetch` on `target` (the global object). */
  install(target = globalThis) {
    target.XMLHttpRequest = makeXhrClass(this);
    target.fetch = makeFetch(this);
  }
}

function headersToText(headers) {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
}

function bodyToText(body) {
  if (body == null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return Buffer.from(body.buffer || body).toString('utf8');
  return String(body);
}

let reportUncaught = (error) => process.stderr.write(`kit: uncaught in an XHR listener: ${error && error.stack}\n`);

/** Where exceptions thrown by XHR event listeners go (the session records them). */
function onListenerError(report) {
  reportUncaught = report;
}

/** A minimal event target with `on<type>` properties, as XHR objects have. */
class SimpleEventTarget {
  constructor() {
    Object.defineProperty(this, '_listeners', { value: new Map(), enumerable: false });
  }

  addEventListener(type, listener) {
    if (typeof listener !== 'function' && !(listener && typeof listener.handleEvent === 'function')) return;
    if (!this._listeners.has(type)) this._listeners.set(type, []);
    this._listeners.get(type).push(listener);
  }

  removeEventListener(type, listener) {
    const list = this._listeners.get(type);
    if (list) this._listeners.set(type, list.filter((l) => l !== listener));
  }

  dispatchEvent(event) {
    // As in a browser, a listener that throws is reported and the other listeners still run;
    // the exception does not travel back into whoever caused the event (the kit's respond).
    const run = (fn) => {
      try {
        fn();
      } catch (error) {
        reportUncaught(error);
      }
    };
    const handler = this[`on${event.type}`];
    if (typeof handler === 'function') run(() => handler.call(this, event));
    for (const listener of [...(this._listeners.get(event.type) || [])]) {
      if (typeof listener === 'function') run(() => listener.call(this, event));
      else run(() => listener.handleEvent(event));
    }
    return true;
  }
}

function makeXhrClass(transport) {
  class CapturingXMLHttpRequest extends SimpleEventTarget {
    constructor() {
      super();
      this.readyState = 0;
      this.status = 0;
      this.statusText = '';
      this.responseText = '';
      this.responseType = '';
      this.responseURL = '';
      this.responseXML = null;
      this.timeout = 0;
      this.withCredentials = false;
      this.upload = new SimpleEventTarget();
      this.onreadystatechange = null;
      this.onload = null;
      this.onerror = null;
      this.onabort = null;
      this.ontimeout = null;
      this.onloadend = null;
      this.onloadstart = null;
      this.onprogress = null;
      this._method = 'GET';
      this._url = '';
      this._requestHeaders = {};
      this._responseHeaders = {};
      this._request = null;
      this._timer = null;
    }

    get response() {
      if (this.readyState !== 4) return this.responseType === '' || this.responseType === 'text' ? '' : null;
      if (this.responseType === 'json') {
        try {
          return this.responseText === '' ? null : JSON.parse(this.responseText);
        } catch {
          return null;
        }
      }
      return this.responseText;
    }

    open(method, url) {
      this._method = String(method).toUpperCase();
      this._url = String(url);
      this._requestHeaders = {};
      this.readyState = 1;
      this._fire('readystatechange');
    }

    setRequestHeader(name, value) {
      if (this.readyState !== 1) throw new Error('InvalidStateError: setRequestHeader before open or after send');
      const key = String(name).toLowerCase();
      this._requestHeaders[key] = key in this._requestHeaders ? `${this._requestHeaders[key]}, ${value}` : String(value);
    }

    overrideMimeType() {}

    getAllResponseHeaders() {
      return this.readyState >= 2 ? headersToText(this._responseHeaders) : '';
    }

    getResponseHeader(name) {
      if (this.readyState < 2) return null;
      const value = this._responseHeaders[String(name).toLowerCase()];
      return value === undefined ? null : value;
    }

    send(body) {
      if (this.readyState !== 1 || this._request) throw new Error('InvalidStateError: send() on an XHR that is not opened');
      const xhr = this;
      this._fire('loadstart');
      this._request = transport.register(
        { method: this._method, url: this._url, headers: { ...this._requestHeaders }, body: bodyToText(body), via: 'xhr' },
        {
          answer(status, text, headers) {
            xhr._clearTimer();
            xhr._responseHeaders = headers;
            xhr.status = status;
            xhr.statusText = STATUS_TEXT[status] || '';
            xhr.responseURL = xhr._url;
            xhr.readyState = 2;
            xhr._fire('readystatechange');
            xhr.readyState = 3;
            xhr.responseText = text;
            xhr._fire('readystatechange');
            xhr.readyState = 4;
            xhr._fire('readystatechange');
            xhr._fire('load');
            xhr._fire('loadend');
          },
          fail() {
            xhr._clearTimer();
            xhr._endWithError('error');
          },
          abandon() {
            xhr._clearTimer();
          },
        },
      );
      if (this.timeout > 0) {
        // A browser gives up after `timeout` ms of (virtual) time; so does the kit.
        this._timer = setTimeout(() => {
          this._timer = null;
          if (this._request && this._request.state === 'parked') {
            transport.settleLocally(this._request, 'timed_out');
            transport.log(`kit: request ${this._request.id} timed out after ${this.timeout} ms (XHR timeout)`);
            this._endWithError('timeout');
          }
        }, this.timeout);
      }
    }

    abort() {
      if (this._request && this._request.state === 'parked') {
        transport.settleLocally(this._request, 'aborted');
        this._clearTimer();
        this._endWithError('abort');
      }
      this.readyState = 0;
    }

    _clearTimer() {
      if (this._timer) {
        clearTimeout(this._timer);
        this._timer = null;
      }
    }

    _endWithError(type) {
      this.status = 0;
      this.statusText = '';
      this.responseText = '';
      this.readyState = 4;
      this._fire('readystatechange');
      this._fire(type);
      this._fire('loadend');
    }

    _fire(type) {
      this.dispatchEvent({ type, target: this, currentTarget: this, lengthComputable: false, loaded: 0, total: 0 });
    }
  }
  Object.assign(CapturingXMLHttpRequest, { UNSENT: 0, OPENED: 1, HEADERS_RECEIVED: 2, LOADING: 3, DONE: 4 });
  return CapturingXMLHttpRequest;
}

function makeFetch(transport) {
  return function capturingFetch(input, init = {}) {
    const isRequest = input && typeof input === 'object' && 'url' in input;
    const url = isRequest ? input.url : String(input);
    const method = String(init.method || (isRequest && input.method) || 'GET').toUpperCase();
    const headers = {};
    new Headers(init.headers || (isRequest ? input.headers : undefined)).forEach((value, name) => {
      headers[name] = value;
    });
    const signal = init.signal || (isRequest ? input.signal : undefined);
    return new Promise((resolve, reject) => {
      if (signal && signal.aborted) {
        reject(new DOMException('The operation was aborted.', 'AbortError'));
        return;
      }
      const request = transport.register(
        { method, url, headers, body: bodyToText(init.body), via: 'fetch' },
        {
          answer(status, text, responseHeaders) {
            resolve(new Response(text === '' || NULL_BODY_STATUS.has(status) ? null : text, { status, statusText: STATUS_TEXT[status] || '', headers: responseHeaders }));
          },
          fail() {
            reject(new TypeError('Failed to fetch'));
          },
          abandon() {},
        },
      );
      if (signal) {
        signal.addEventListener('abort', () => {
          if (request.state === 'parked') {
            transport.settleLocally(request, 'aborted');
            reject(new DOMException('The operation was aborted.', 'AbortError'));
          }
        });
      }
    });
  };
}

module.exports = { Transport, CapturedRequest, onListenerError };
