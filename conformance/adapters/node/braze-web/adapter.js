#!/usr/bin/env node
'use strict';
// jwt-lifecycle adapter for the real @braze/web-sdk. Run: node braze-web/adapter.js
const { runAdapter } = require('../kit');
const { buildSpec } = require('./spec');

runAdapter({ ...buildSpec(), baseDir: __dirname });
