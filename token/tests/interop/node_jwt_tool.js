// Mints and verifies tokens with the npm `jsonwebtoken` package, for
// token/tests/token_interop.rs. Same JSON protocol as pyjwt_tool.py; the package is loaded
// from the folder given as the first argument (an `npm install --prefix` folder).
'use strict';
const path = require('path');
const jwt = require(path.join(process.argv[2], 'node_modules', 'jsonwebtoken'));
const version = require(path.join(process.argv[2], 'node_modules', 'jsonwebtoken', 'package.json')).version;

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  if (request.mode === 'mint') {
    const tokens = request.items.map((item) => {
      const header = Object.assign({}, item.header);
      delete header.alg;
      // jsonwebtoken adds `iat` unless told not to; keep the claims exactly as given,
      // except where the profile's claims carry their own `iat` (kept as given).
      const hasIat = Object.prototype.hasOwnProperty.call(item.claims, 'iat');
      return jwt.sign(item.claims, Buffer.from(item.key_hex, 'hex'), {
        algorithm: item.alg,
        header,
        noTimestamp: !hasIat,
      });
    });
    process.stdout.write(JSON.stringify({ tokens, version }) + '\n');
  } else {
    const results = request.items.map((item) => {
      try {
        const claims = jwt.verify(item.token, Buffer.from(item.key_hex, 'hex'), {
          algorithms: [item.alg],
          clockTolerance: 0,
        });
        return { claims };
      } catch (e) {
        return { error: e.name + ': ' + e.message };
      }
    });
    process.stdout.write(JSON.stringify({ results, version }) + '\n');
  }
});
