#!/usr/bin/env node
'use strict';
// jwt-lifecycle adapter for the real @iterable/web-sdk. Run: node iterable-web/adapter.js
const { runAdapter } = require('../kit');
const { buildSpec } = require('./spec');

runAdapter({ ...buildSpec(), baseDir: __dirname });
